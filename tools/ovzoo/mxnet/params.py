"""MXNet ``.params`` files (``mx.nd.save`` NDArray lists) without MXNet.

Layout (little-endian; FACTS.md section 4)::

    u64 0x112 | u64 0 | u64 n | n x ndarray | u64 m | m x (u64 len, utf-8 name)    # m == n or 0

An ndarray record starts with a u32 that is either a magic number or, in the oldest files, ``ndim``:

- V2 ``0xF993FAC9`` / V3 ``0xF993FACA``: i32 stype, shape (i32 ndim, i64 dims), context (i32 dev_type,
  i32 dev_id), i32 dtype, data. V2: ndim 0 is an empty record; V3 (numpy shapes): ndim 0 is a scalar
  and ndim -1 the empty record.
- V1 ``0xF993FAC8``: shape (i64 dims), context, dtype, data (no stype).
- oldest: the u32 is ndim, followed by u32 dims, context, dtype, data.

Sparse arrays (stype 1 row_sparse, 2 csr) are refused: checkpoints of this family never hold them.
``bfloat16`` (dtype 12) has no numpy type: it is widened to float32, which is exact.
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ovzoo.atomic import atomic_write
from ovzoo.errors import FormatError

LIST_MAGIC = 0x112
V1_MAGIC = 0xF993FAC8
V2_MAGIC = 0xF993FAC9
V3_MAGIC = 0xF993FACA
_CPU = 1

# MXNet type flag -> numpy dtype (little-endian); 12 is bfloat16, read as raw u16 then widened
DTYPES: dict[int, np.dtype] = {
    0: np.dtype("<f4"),
    1: np.dtype("<f8"),
    2: np.dtype("<f2"),
    3: np.dtype("u1"),
    4: np.dtype("<i4"),
    5: np.dtype("i1"),
    6: np.dtype("<i8"),
    7: np.dtype("?"),
    8: np.dtype("<i2"),
    9: np.dtype("<u2"),
    10: np.dtype("<u4"),
    11: np.dtype("<u8"),
    12: np.dtype("<u2"),
}
_BFLOAT16 = 12
_TYPE_FLAGS = {dtype: flag for flag, dtype in DTYPES.items() if flag != _BFLOAT16}
_SPARSE = {1: "row_sparse", 2: "csr"}


class _Cursor:
    """Reads little-endian fields from ``size`` bytes; every shortfall is a FormatError with the offset.

    The bytes come from :meth:`read`: a buffer in memory here, the file itself in :class:`_FileCursor`.
    """

    def __init__(self, buffer: np.ndarray, path: Path) -> None:
        self.buffer = buffer
        self.size = len(buffer)
        self.offset = 0
        self.path = path

    def read(self, start: int, size: int) -> bytes:
        return self.buffer[start : start + size].tobytes()

    def fail(self, problem: str, offset: int | None = None) -> FormatError:
        at = self.offset if offset is None else offset
        return FormatError(f"{problem} at byte offset {at}", (str(self.path),))

    def take(self, size: int, what: str) -> int:
        start = self.offset
        if size < 0 or start + size > self.size:
            raise self.fail(f"truncated file: {what} needs {size} bytes, {self.size - start} left", start)
        self.offset = start + size
        return start

    def unpack(self, fmt: str, what: str) -> tuple[int, ...]:
        size = struct.calcsize(fmt)
        start = self.take(size, what)
        return struct.unpack(fmt, self.read(start, size))

    def u32(self, what: str) -> int:
        return self.unpack("<I", what)[0]

    def i32(self, what: str) -> int:
        return self.unpack("<i", what)[0]

    def u64(self, what: str) -> int:
        return self.unpack("<Q", what)[0]


class _FileCursor(_Cursor):
    """A cursor over an open file: only the headers are read, never the array data.

    A header is a handful of small fields; each read fetches a window of ``_WINDOW`` bytes that the
    next fields (and the next headers, after small arrays) come from: one system call per header
    instead of one per field (ResNet-101 has 588 arrays, 4,700 fields).
    """

    _WINDOW = 16 << 10

    def __init__(self, file: BinaryIO, path: Path) -> None:
        super().__init__(np.empty(0, np.uint8), path)
        self.file = file
        self.size = os.fstat(file.fileno()).st_size
        self._window_at = 0
        self._window = b""

    def read(self, start: int, size: int) -> bytes:
        at = start - self._window_at
        if at < 0 or at + size > len(self._window):
            self._window = os.pread(self.file.fileno(), max(size, self._WINDOW), start)
            self._window_at = start
            at = 0
        return self._window[at : at + size]


@dataclass(frozen=True)
class _Record:
    """Where one array's data lies in the file, and how to read it."""

    shape: tuple[int, ...]
    flag: int  # MXNet type flag
    offset: int  # of the first data byte; -1 for an empty record

    @property
    def nbytes(self) -> int:
        # Python integers: a corrupt shape's product must not wrap around int64 into a small size
        return math.prod(self.shape) * DTYPES[self.flag].itemsize


_EMPTY = _Record((0,), 0, -1)


def _read_shape(cur: _Cursor, ndim: int, dim_format: str) -> tuple[int, ...]:
    dims = cur.unpack(f"<{ndim}{dim_format}", "shape") if ndim > 0 else ()
    if any(d < 0 for d in dims):
        raise cur.fail(f"negative dimension in shape {dims}")
    return tuple(int(d) for d in dims)


def _read_record(cur: _Cursor) -> _Record:
    start = cur.offset
    head = cur.u32("array header")
    if head in (V2_MAGIC, V3_MAGIC):
        stype_at = cur.offset
        stype = cur.i32("storage type")
        if stype in _SPARSE:
            raise cur.fail(f"sparse array ({_SPARSE[stype]}) is not supported", stype_at)
        if stype not in (0, -1):
            raise cur.fail(f"unknown storage type {stype}", stype_at)
        ndim_at = cur.offset
        ndim = cur.i32("ndim")
        empty = ndim == 0 if head == V2_MAGIC else ndim == -1
        if empty:
            return _EMPTY
        if ndim < 0 or ndim > 32:
            raise cur.fail(f"bad ndim {ndim}", ndim_at)
        shape = _read_shape(cur, ndim, "q")
    elif head == V1_MAGIC:
        ndim_at = cur.offset
        ndim = cur.u32("ndim")
        if ndim == 0:
            return _EMPTY
        if ndim > 32:
            raise cur.fail(f"bad ndim {ndim}", ndim_at)
        shape = _read_shape(cur, ndim, "q")
    elif head <= 32:  # the oldest layout: the first u32 is ndim and dims are u32
        if head == 0:
            return _EMPTY
        shape = _read_shape(cur, head, "I")
    else:
        raise cur.fail(f"unknown array magic 0x{head:08X}", start)
    cur.unpack("<ii", "context")
    flag_at = cur.offset
    flag = cur.i32("dtype")
    if flag not in DTYPES:
        raise cur.fail(f"unknown dtype flag {flag}", flag_at)
    record = _Record(shape, flag, 0)
    data_at = cur.take(record.nbytes, f"data of a {DTYPES[flag]} array of shape {shape}")
    return _Record(shape, flag, data_at)


def _as_array(raw: np.ndarray, record: _Record) -> np.ndarray:
    """``raw`` (the record's bytes) as the stored array; bfloat16 widened to float32."""
    if record.offset < 0:
        return np.zeros((0,), np.float32)
    array = raw.view(DTYPES[record.flag]).reshape(record.shape)
    if record.flag == _BFLOAT16:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def _read_index(cur: _Cursor) -> dict[str, _Record]:
    """Every array's record, keyed by stored name (``"0"``, ``"1"``... for a file without names)."""
    magic = cur.u64("file header")
    if magic != LIST_MAGIC:
        raise cur.fail(f"not an MXNet .params file (header 0x{magic:X}, expected 0x112)", 0)
    cur.u64("reserved field")
    count_at = cur.offset
    count = cur.u64("array count")
    if count > cur.size // 4:
        raise cur.fail(f"implausible array count {count}", count_at)
    records = [_read_record(cur) for _ in range(count)]
    names_at = cur.offset
    name_count = cur.u64("name count")
    if name_count not in (0, count):
        raise cur.fail(f"{name_count} names for {count} arrays", names_at)
    names = []
    for _ in range(name_count):
        length = cur.u64("name length")
        start = cur.take(length, "name")
        try:
            names.append(cur.read(start, length).decode("utf-8"))
        except UnicodeDecodeError as e:
            raise cur.fail("name is not UTF-8", start) from e
    if cur.offset != cur.size:
        raise cur.fail(f"{cur.size - cur.offset} unexpected bytes after the last name")
    if not names:
        names = [str(i) for i in range(count)]
    if len(set(names)) != len(names):
        raise cur.fail("duplicate array names", names_at)
    return dict(zip(names, records, strict=True))


def load_params(path: Path) -> dict[str, np.ndarray]:
    """Read every array of an ``mx.nd.save`` file; keys as stored (``arg:name``, ``aux:name``).

    The arrays share one writable buffer read in a single call (no per-array copies). A file saved
    without names (a plain list) gets the keys ``"0"``, ``"1"``, ...

    Raises:
        FormatError: bad magic, unsupported (sparse) storage, unknown dtype or a truncated file;
            the message names the file and the byte offset.
    """
    path = Path(path)
    try:
        with path.open("rb") as f:
            size = f.seek(0, 2)
            f.seek(0)
            buffer = np.empty(size, np.uint8)  # not bytearray: no zero-fill pass over 100 MB
            if f.readinto(memoryview(buffer)) != size:  # type: ignore[arg-type]  # numpy 1.26 stubs lack __buffer__
                raise FormatError("file changed while being read", (str(path),))
    except OSError as e:
        raise FormatError(f"can't read: {e.strerror or e}", (str(path),)) from e
    index = _read_index(_Cursor(buffer, path))
    return {name: _as_array(buffer[r.offset : r.offset + r.nbytes], r) for name, r in index.items()}


class ParamsFile(Mapping[str, np.ndarray]):
    """The arrays of an ``mx.nd.save`` file, each read from disk when it is looked up.

    Opening reads only the headers. Every lookup returns a fresh array of its own, so an array the
    caller drops (a weight already folded into another) is freed at once: converting a model holds
    what it builds, not the checkpoint as well. Shapes are known without reading (:meth:`shape`).
    """

    def __init__(self, path: Path, records: Mapping[str, _Record]) -> None:
        self.path = Path(path)
        self._records = dict(records)

    @classmethod
    def open(cls, path: Path) -> ParamsFile:
        """Index ``path`` (keys as stored).

        Raises:
            FormatError: as :func:`load_params`, for everything but the array data.
        """
        path = Path(path)
        try:
            with path.open("rb") as f:
                return cls(path, _read_index(_FileCursor(f, path)))
        except OSError as e:
            raise FormatError(f"can't read: {e.strerror or e}", (str(path),)) from e

    def without_prefixes(self) -> ParamsFile:
        """The same file keyed by bare names (see :func:`strip_prefixes`)."""
        return ParamsFile(self.path, {bare: self._records[key] for bare, key in _bare_names(self).items()})

    def shape(self, name: str) -> tuple[int, ...]:
        """The stored shape of ``name``, without reading its data (KeyError when absent)."""
        return self._records[name].shape

    def __getitem__(self, name: str) -> np.ndarray:
        record = self._records[name]
        raw = np.empty(max(record.nbytes, 0), np.uint8)
        if record.offset >= 0 and record.nbytes:
            try:
                # a bare descriptor: a file object costs more than reading a small array
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    got = os.preadv(fd, [memoryview(raw)], record.offset)  # type: ignore[arg-type]  # as above
                finally:
                    os.close(fd)
            except OSError as e:
                raise FormatError(f"can't read array {name!r}: {e.strerror or e}", (str(self.path),)) from e
            if got != record.nbytes:
                raise FormatError(f"file changed while being read (array {name!r})", (str(self.path),))
        return _as_array(raw, record)

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, name: object) -> bool:
        return name in self._records


def stored_shape(params: Mapping[str, np.ndarray], name: str) -> tuple[int, ...]:
    """The shape of ``params[name]``; read from the index alone when ``params`` is a :class:`ParamsFile`."""
    if isinstance(params, ParamsFile):
        return params.shape(name)
    return tuple(int(d) for d in np.shape(params[name]))


def encode_params(arrays: Mapping[str, np.ndarray]) -> bytes:
    """The bytes ``mx.nd.save`` writes for ``arrays`` (V2 dense records on the CPU context).

    Raises:
        FormatError: a dtype MXNet can't store, or a 0-d array (V2 has no scalars).
    """
    return b"".join(encode_parts(arrays))


def encode_parts(arrays: Mapping[str, np.ndarray]) -> Iterator[bytes | memoryview]:
    """The chunks of :func:`encode_params`, without joining them (for streaming 100 MB files)."""
    yield struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))
    for name, value in arrays.items():
        array = np.asarray(value)
        dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
        flag = _TYPE_FLAGS.get(np.dtype(dtype))
        if flag is None:
            raise FormatError(f"dtype {array.dtype} can't be stored in a .params file", (name,))
        if array.ndim == 0:
            raise FormatError("0-d arrays can't be stored in the V2 layout; reshape to (1,)", (name,))
        yield struct.pack(f"<Iii{array.ndim}qiii", V2_MAGIC, 0, array.ndim, *array.shape, _CPU, 0, flag)
        yield np.ascontiguousarray(array, dtype=dtype).reshape(-1).view(np.uint8).data
    yield struct.pack("<Q", len(arrays))
    for name in arrays:
        encoded = name.encode("utf-8")
        yield struct.pack("<Q", len(encoded)) + encoded


def encoded_size(arrays: Mapping[str, np.ndarray]) -> int:
    """Size in bytes of :func:`encode_params` output, without building it."""
    size = 24 + 8
    for name, value in arrays.items():
        array = np.asarray(value)
        size += 24 + 8 * array.ndim + array.nbytes + 8 + len(name.encode("utf-8"))
    return size


def save_params(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as ``mx.nd.save`` would, atomically (see :func:`encode_params`).

    Raises:
        FormatError: an array that the layout can't hold.
    """
    parts = list(encode_parts(arrays))  # validate every array before the file is touched
    with atomic_write(Path(path), "wb") as f:
        for part in parts:
            f.write(part)


def strip_prefixes(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop the ``arg:``/``aux:`` prefixes (the front end keys parameters by bare name).

    Raises:
        FormatError: two arrays whose names collide once the prefix is gone.
    """
    return {bare: arrays[key] for bare, key in _bare_names(arrays).items()}


def _bare_names(keys: Iterable[str]) -> dict[str, str]:
    """Bare name -> stored key.

    Raises:
        FormatError: two arrays whose names collide once the prefix is gone.
    """
    out: dict[str, str] = {}
    for key in keys:
        bare = key.split(":", 1)[1] if key.startswith(("arg:", "aux:")) else key
        if bare in out:
            raise FormatError(f"array {bare!r} appears as both arg: and aux:")
        out[bare] = key
    return out
