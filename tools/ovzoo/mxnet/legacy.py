"""The one module that imports the retired ``mxnet`` package.

mxnet 1.9.1 still uses numpy aliases removed in numpy 1.24 (``np.bool`` and friends); they are put
back before the import so that mxnet runs beside numpy 1.26 (which OpenVINO and NNCF need).
"""

from __future__ import annotations

import functools
import types

import numpy as np

from ovzoo.errors import OvzooError


class ReferenceUnavailable(OvzooError, ImportError):
    """mxnet is not installed or does not import here."""


# numpy names that mxnet 1.9.1 uses and numpy >= 1.24 removed
_REMOVED_NUMPY_ALIASES = {
    "bool": bool,
    "int": int,
    "float": float,
    "complex": complex,
    "object": object,
    "str": str,
}


@functools.cache
def import_mxnet() -> types.ModuleType:
    """Return the ``mxnet`` module, restoring numpy's removed aliases first.

    Raises:
        ReferenceUnavailable: mxnet is missing or fails to import.
    """
    for name, value in _REMOVED_NUMPY_ALIASES.items():
        if name not in np.__dict__:
            setattr(np, name, value)
    try:
        import mxnet  # noqa: PLC0415  (the project's only import of mxnet)
    except Exception as e:  # ImportError, OSError from libmxnet.so, AttributeError from numpy drift
        raise ReferenceUnavailable(
            f"mxnet is not importable ({type(e).__name__}: {e}); install mxnet==1.9.1 (make setup does)"
        ) from e
    return mxnet


def mxnet_available() -> bool:
    """True when :func:`import_mxnet` succeeds."""
    try:
        import_mxnet()
    except ReferenceUnavailable:
        return False
    return True
