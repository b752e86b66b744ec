"""Hand-built MXNet .params bytes in every layout (independent of ovzoo's writer)."""

from __future__ import annotations

import struct

import numpy as np

# MXNet type flags (mshadow base.h); bf16 has no numpy type and is built from raw u16 bits
TYPE_FLAGS = {
    "float32": 0,
    "float64": 1,
    "float16": 2,
    "uint8": 3,
    "int32": 4,
    "int8": 5,
    "int64": 6,
    "bool": 7,
    "int16": 8,
    "uint16": 9,
    "uint32": 10,
    "uint64": 11,
}
BF16_FLAG = 12
MAGIC = {"v1": 0xF993FAC8, "v2": 0xF993FAC9, "v3": 0xF993FACA}


def array_record(array: np.ndarray, layout: str, flag: int | None = None, stype: int = 0) -> bytes:
    """One ndarray record; ``layout`` is v1, v2, v3 or 'oldest' (u32 ndim and u32 dims)."""
    flag = TYPE_FLAGS[array.dtype.name] if flag is None else flag
    shape = array.shape
    if layout == "oldest":
        head = struct.pack(f"<I{len(shape)}I", len(shape), *shape)
    elif layout == "v1":
        head = struct.pack(f"<II{len(shape)}q", MAGIC["v1"], len(shape), *shape)
    else:
        head = struct.pack(f"<Iii{len(shape)}q", MAGIC[layout], stype, len(shape), *shape)
    return (
        head
        + struct.pack("<iii", 1, 0, flag)
        + np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    )


def params_file(records: list[bytes], names: list[str] | None) -> bytes:
    out = struct.pack("<QQQ", 0x112, 0, len(records)) + b"".join(records)
    names = names or []
    out += struct.pack("<Q", len(names))
    for name in names:
        encoded = name.encode()
        out += struct.pack("<Q", len(encoded)) + encoded
    return out
