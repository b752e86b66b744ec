"""ovzoo: package, convert and check MXNet image classifiers for OpenVINO.

``ovzoo.convert_model`` (:func:`ovzoo.convert.api.convert_model`) is imported on first use, so that
``import ovzoo`` stays light (no OpenVINO, no numpy).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "convert_model":
        from ovzoo.convert.api import convert_model

        return convert_model
    raise AttributeError(f"module 'ovzoo' has no attribute {name!r}")


__all__ = ["__version__", "convert_model"]
