"""Optional dependencies: which ``pip install 'ovzoo[<extra>]'`` brings each one.

The core install converts, validates (without the MXNet reference), benchmarks and checks accuracy.
Heavier or narrower parts are extras, imported only by the commands that need them; a missing one is
one error that names the extra to install, never an ImportError traceback.
"""

from __future__ import annotations

import importlib
import types

from ovzoo.errors import OvzooError

__all__ = ["EXTRA_OF_MODULE", "MissingExtra", "import_optional", "install_hint"]

# top-level module -> the extra (setup.cfg [options.extras_require]) that installs it
EXTRA_OF_MODULE = {
    "mxnet": "reference",
    "nncf": "quantize",
    "fastapi": "serve",
    "uvicorn": "serve",
}


class MissingExtra(OvzooError, ImportError):
    """An optional dependency is not installed (or does not import)."""

    def __init__(self, module: str, extra: str, reason: str = "") -> None:
        detail = f" ({reason})" if reason else ""
        super().__init__(f"{module} is not importable{detail}; {install_hint(extra)}")
        self.module = module
        self.extra = extra


def install_hint(extra: str) -> str:
    return f"install it with: pip install 'ovzoo[{extra}]'"


def import_optional(module: str) -> types.ModuleType:
    """Import ``module`` (a key of :data:`EXTRA_OF_MODULE`) or raise :class:`MissingExtra`."""
    extra = EXTRA_OF_MODULE[module.partition(".")[0]]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        raise MissingExtra(module, extra) from e
    except Exception as e:  # a broken install: OSError from a shared library, numpy drift...
        raise MissingExtra(module, extra, f"{type(e).__name__}: {e}") from e
