"""Weights held in a scratch file instead of in memory while a model is converted and saved.

A converted model's Constants hold every weight at once: a checkpoint's worth of memory on top of the
~70 MB that Python, numpy and OpenVINO take. Inside :func:`spilling`, each large weight is written to an
unlinked scratch file beside the IR and its Constant reads it through a shared mapping of that file.
The bytes then sit in the page cache, which the kernel can write back and evict, not in the process:
a page counts in the process's RSS only while it is mapped in, and :func:`release` maps a weight's
pages out again once the IR writer has copied them (they come back from the file if read again).

Outside :func:`spilling` (tests, the Python API's in-memory models) :func:`keep` returns the array
itself: nothing changes.
"""

from __future__ import annotations

import bisect
import ctypes
import logging
import math
import mmap
import os
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np
import openvino as ov

from ovzoo.errors import ConversionError

log = logging.getLogger(__name__)

# smaller arrays (biases, BatchNorm shifts, shape operands) stay in memory: a mapping costs a page
# table entry and a kernel object, and these add up to a few hundred KB per model
MIN_SPILLED_BYTES = 64 << 10

# glibc's M_MMAP_THRESHOLD: above it, malloc takes memory from mmap and free gives it straight back.
# glibc raises the threshold to the size of each large block freed (up to 32 MB), after which
# freed weights stay in the heap; a fixed threshold turns that off.
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD_BYTES = 256 << 10

_active: ContextVar[SpilledWeights | None] = ContextVar("ovzoo_spilled_weights", default=None)
_malloc_lock = threading.Lock()
_malloc_tuned = False


class SpilledWeights:
    """An unlinked scratch file in ``directory`` and the mapped copies of the weights put in it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".ovzoo-weights-")
        self._end = 0
        self._lock = threading.Lock()
        # start address -> (mapping, size, file offset); a mapping goes when the last Constant over it does
        self._mappings: dict[int, tuple[weakref.ref[mmap.mmap], int, int]] = {}
        self._starts: list[int] = []  # sorted keys of _mappings
        self.spilled_bytes = 0

    def keep(self, array: np.ndarray) -> np.ndarray:
        """A read-write view of a copy of ``array`` in the scratch file (C order, same dtype and shape)."""
        array = np.ascontiguousarray(array)
        return self.keep_parts(array.shape, array.dtype, [array])

    def keep_parts(self, shape: tuple[int, ...], dtype: np.dtype, parts: Iterable[np.ndarray]) -> np.ndarray:
        """As :meth:`keep` for the array of ``shape`` whose C-order values come in ``parts``: only one
        part is ever in memory. An exception from ``parts`` leaves nothing mapped.

        Raises:
            ValueError: the parts don't add up to the array.
            ConversionError: the scratch file can't take them (a full disk).
        """
        dtype = np.dtype(dtype)
        size = math.prod(shape) * dtype.itemsize
        if size == 0:  # nothing to map (mmap refuses empty mappings)
            return np.empty(shape, dtype)
        with self._lock:
            offset = self._end
            self._end += -(-size // mmap.PAGESIZE) * mmap.PAGESIZE  # each copy starts on its own page
        at = offset
        try:
            for part in parts:
                # written with pwrite, not through the mapping: the pages never enter this process
                view = np.ascontiguousarray(part, dtype=dtype).reshape(-1).view(np.uint8).data
                if at + view.nbytes > offset + size:
                    raise ValueError(f"parts overrun an array of {size} bytes")
                written = 0
                while written < view.nbytes:
                    written += os.pwrite(self._file.fileno(), view[written:], at + written)
                at += view.nbytes
            if at != offset + size:
                raise ValueError(f"parts give {at - offset} of an array's {size} bytes")
            mapping = mmap.mmap(self._file.fileno(), size, offset=offset, access=mmap.ACCESS_WRITE)
        except OSError as e:  # a full disk, mostly
            raise ConversionError(
                f"can't hold the weights in a scratch file: {e.strerror or e} (--weights_in memory "
                "converts without one)",
                (str(self.directory),),
            ) from e
        copy = np.frombuffer(mapping, dtype=dtype).reshape(shape)  # writable: OpenVINO shares no other
        address = copy.__array_interface__["data"][0]
        with self._lock:
            if address not in self._mappings:  # (an address a freed mapping had may come back)
                bisect.insort(self._starts, address)
            self._mappings[address] = (weakref.ref(mapping), size, offset)
            self.spilled_bytes += size
        return copy

    def _mapping_under(self, array: np.ndarray) -> tuple[mmap.mmap, int, int] | None:
        """The live mapping ``array``'s first byte lies in, with that byte's place in the mapping and
        the mapping's size."""
        address = array.__array_interface__["data"][0]
        with self._lock:
            i = bisect.bisect_right(self._starts, address) - 1
            if i < 0:
                return None
            start = self._starts[i]
            ref, size, _ = self._mappings[start]
        mapping = ref()
        if mapping is None or mapping.closed or address >= start + size:
            return None
        return mapping, address - start, size

    def release(self, array: np.ndarray) -> None:
        """Map the pages under ``array`` (a spilled copy or a slice of one) out of the process; a no-op
        for any other array."""
        found = self._mapping_under(array)
        if found is None:
            return
        mapping, at, size = found
        # whole pages around the slice: a neighbour's page just comes back from the file if read
        first = at // mmap.PAGESIZE * mmap.PAGESIZE
        mapping.madvise(mmap.MADV_DONTNEED, first, min(size, at + array.nbytes) - first)

    def writable(self, array: np.ndarray) -> np.ndarray | None:
        """A writable view of the same bytes as a contiguous spilled ``array`` (OpenVINO shares only
        writable buffers, and ``Constant.get_data()`` is read-only), else None."""
        found = self._mapping_under(array) if array.flags.c_contiguous else None
        if found is None or found[1] + array.nbytes > found[2]:
            return None
        mapping, at, _ = found
        return np.frombuffer(mapping, array.dtype, array.size, at).reshape(array.shape)

    def release_all(self) -> None:
        with self._lock:
            refs = [ref for ref, _, _ in self._mappings.values()]
        for ref in refs:
            mapping = ref()
            if mapping is not None and not mapping.closed:
                mapping.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        # the mappings stay valid after the file is closed; the disk space goes with the last of them
        self._file.close()


@contextmanager
def spilling(directory: Path) -> Iterator[SpilledWeights]:
    """Spill large weights to a scratch file in ``directory`` (created if needed) until the block ends.

    The Constants made inside stay usable afterwards: their mappings outlive the block.

    Raises:
        ConversionError: the scratch file could not be created.
    """
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        weights = SpilledWeights(directory)
    except OSError as e:
        raise ConversionError(
            f"can't create a scratch file for the weights: {e.strerror or e}", (str(directory),)
        ) from e
    _return_freed_memory_promptly()
    token = _active.set(weights)
    try:
        yield weights
    finally:
        _active.reset(token)
        weights.close()
        log.debug("spilled %.1f MB of weights to %s", weights.spilled_bytes / 1e6, directory)


def keep(array: np.ndarray) -> np.ndarray:
    """``array`` as a Constant should hold it: spilled inside :func:`spilling` when large, else itself."""
    weights = _active.get()
    if weights is None or np.asarray(array).nbytes < MIN_SPILLED_BYTES:
        return array
    return weights.keep(array)


def keep_parts(shape: tuple[int, ...], dtype: np.dtype, parts: Iterable[np.ndarray]) -> np.ndarray:
    """:meth:`SpilledWeights.keep_parts` inside :func:`spilling`; the joined parts outside it."""
    weights = _active.get()
    if weights is None:
        flat = [np.ravel(p) for p in parts]
        return (np.concatenate(flat) if flat else np.empty(0)).astype(dtype, copy=False).reshape(shape)
    return weights.keep_parts(shape, dtype, parts)


def release(array: np.ndarray) -> None:
    """Let the pages under a spilled array (or a slice of one) leave the process's memory; a no-op for
    any other array."""
    weights = _active.get()
    if weights is not None:
        weights.release(array)


def pieces(array: np.ndarray, values: int) -> Iterator[np.ndarray]:
    """``array``'s values in C order, ``values`` at a time, each writable. A spilled array's pieces are
    views of its mapping, mapped out again when the next is asked for; any other array's are copies
    in one buffer reused for each piece (a piece is valid until the next).
    """
    flat = np.ascontiguousarray(array).reshape(-1)
    weights = _active.get()
    mapped = None if weights is None else weights.writable(flat)
    buffer = None if mapped is not None else np.empty(min(values, flat.size), flat.dtype)
    for start in range(0, flat.size, values):
        if mapped is not None:
            piece = mapped[start : start + values]
            yield piece
            release(piece)
        else:
            assert buffer is not None
            piece = buffer[: min(values, flat.size - start)]
            np.copyto(piece, flat[start : start + piece.size])
            yield piece


def _return_freed_memory_promptly() -> None:
    global _malloc_tuned
    with _malloc_lock:
        if _malloc_tuned:
            return
        _malloc_tuned = True
        try:
            libc = ctypes.CDLL(None)
            mallopt = libc.mallopt
        except (OSError, AttributeError):  # not glibc: nothing to tune
            return
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)


def active() -> bool:
    """True inside :func:`spilling`."""
    return _active.get() is not None


def release_all() -> None:
    """Map every spilled weight's pages out of the process (after a pass that read many of them)."""
    weights = _active.get()
    if weights is not None:
        weights.release_all()


def weight_constant(array: np.ndarray) -> ov.op.Constant:
    """A Constant holding ``array``'s values (type kept), spilled as :func:`keep` says."""
    array = np.asarray(array)
    if not array.flags.c_contiguous:  # (not ascontiguousarray: it turns 0-d scalars into 1-d)
        array = np.ascontiguousarray(array)
    kept = keep(array)
    if not kept.flags.writeable:  # OpenVINO shares only writable buffers
        kept = kept.copy()
    return ov.op.Constant(kept, shared_memory=True)
