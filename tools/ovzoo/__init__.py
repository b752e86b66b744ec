"""ovzoo: package, convert and check MXNet image classifiers for OpenVINO."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from ovzoo.convert.api import convert_model as convert_model


def __getattr__(name: str) -> Any:
    # ``import ovzoo`` stays light (no OpenVINO, no numpy); ``ovzoo.convert_model`` imports them on first use
    if name == "convert_model":
        from ovzoo.convert.api import convert_model

        return convert_model
    raise AttributeError(f"module 'ovzoo' has no attribute {name!r}")


__all__ = ["__version__", "convert_model"]
