"""The ``.bin`` half of an IR: constants appended in visiting order, identical bytes stored once."""

from __future__ import annotations

from typing import IO

import numpy as np

from ovzoo.ir import spill


class ConstantStore:
    """Appends constant data to the ``.bin``; identical bytes are stored once, at their first offset.

    A weight that waits in the scratch file (:mod:`ovzoo.ir.spill`) is written a part at a time, each
    part's pages mapped out again once written: only one part of it is ever in memory.
    """

    # bytes at each end that, with the size, pick the candidates to compare in full (a whole small
    # constant; for weights, a hash of every byte would cost more than the rare full comparison)
    EDGE_BYTES = 64
    WRITE_BYTES = 1 << 20  # a weight is written in parts of this size

    def __init__(self, bin_file: IO[bytes]) -> None:
        self._file = bin_file
        self._offset = 0
        self._stored: dict[tuple[int, bytes, bytes], list[tuple[int, np.ndarray]]] = {}

    def store(self, values: np.ndarray) -> int:
        """The offset of ``values``' bytes (a C-contiguous array) in the ``.bin``, written if new."""
        data = values.reshape(-1).view(np.uint8)
        key = (data.nbytes, data[: self.EDGE_BYTES].tobytes(), data[-self.EDGE_BYTES :].tobytes())
        spill.release(data)  # reading the ends mapped in their pages and, by fault-around, their neighbours'
        candidates = self._stored.setdefault(key, [])
        for offset, earlier in candidates:
            if data.nbytes <= 2 * self.EDGE_BYTES:
                return offset
            same = np.array_equal(earlier, data)
            spill.release(earlier)  # both read in full for the comparison
            spill.release(data)
            if same:
                return offset
        offset = self._offset
        candidates.append((offset, data))
        for start in range(0, data.nbytes, self.WRITE_BYTES):
            part = data[start : start + self.WRITE_BYTES]
            self._file.write(part.data)
            spill.release(part)  # a spilled weight leaves memory as it goes
        self._offset += data.nbytes
        return offset
