"""The one module that imports the retired ``mxnet`` package.

mxnet 1.9.1 still uses numpy aliases removed in numpy 1.24 (``np.bool`` and friends); they are put
back before the import so that mxnet runs beside numpy 1.26 (which OpenVINO and NNCF need).
"""

from __future__ import annotations

import functools
import os
import re
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ovzoo.extras import MissingExtra, import_optional


class ReferenceUnavailable(MissingExtra):
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
        return import_optional("mxnet")  # the project's only import of mxnet
    except MissingExtra as e:
        raise ReferenceUnavailable(e.module, e.extra, str(e.__cause__ or "")) from e.__cause__


def mxnet_available() -> bool:
    """True when :func:`import_mxnet` succeeds."""
    try:
        import_mxnet()
    except ReferenceUnavailable:
        return False
    return True


# What MXNet's C++ side prints (to fd 2, past sys.stderr) each time it binds with the subgraph pass off
_SUBGRAPH_OFF_NOTICE = re.compile(r"MXNET_SUBGRAPH_BACKEND=NONE is detected")


@contextmanager
def quiet_subgraph_notice() -> Iterator[None]:
    """Drop MXNet's "subgraph backend is not in use" line while binding, unless output is verbose.

    The CLI sets ``MXNET_SUBGRAPH_VERBOSE=0`` when not verbose; then fd 2 is captured for the block and
    every other line (a real MXNet warning or error) is written back.
    """
    if os.environ.get("MXNET_SUBGRAPH_VERBOSE") != "0":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = [
                line
                for line in capture.read().decode("utf-8", "replace").splitlines(keepends=True)
                if not _SUBGRAPH_OFF_NOTICE.search(line)
            ]
            sys.stderr.write("".join(kept))
