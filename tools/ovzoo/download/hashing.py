"""Hashing of downloaded bytes with the algorithm a descriptor declares (sha256 or sha384)."""

from __future__ import annotations

import hashlib
import queue
import threading
from pathlib import Path
from typing import Protocol

from ovzoo.catalog.model import Checksum

# One read/write/hash unit everywhere in the downloader: big enough for loopback speed, small
# enough that a killed run loses at most this much.
CHUNK_SIZE = 1 << 20


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def new_hasher(checksum: Checksum) -> Hasher:
    """A fresh hash object for ``checksum.algorithm``."""
    return hashlib.new(checksum.algorithm)


def hash_prefix(path: Path, checksum: Checksum, length: int) -> Hasher:
    """Hash the first ``length`` bytes of ``path`` (used to continue hashing a resumed .part)."""
    hasher = new_hasher(checksum)
    with path.open("rb") as f:
        remaining = length
        while remaining > 0:
            chunk = f.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            hasher.update(chunk)
            remaining -= len(chunk)
    return hasher


def file_matches(path: Path, size: int, checksum: Checksum) -> bool:
    """True when ``path`` is a regular file of ``size`` bytes whose hash is ``checksum``."""
    try:
        if not path.is_file() or path.stat().st_size != size:
            return False
        return hash_prefix(path, checksum, size).hexdigest() == checksum.value
    except OSError:
        return False


class BackgroundHasher:
    """Feeds chunks to a hasher on a helper thread, so hashing overlaps receiving and writing.

    sha384 runs at a few hundred MB/s, slower than loopback; hashlib releases the GIL on large
    buffers, so a second thread nearly hides it. Use as a context manager: on exit every chunk
    given so far has been hashed, whether the block ended normally or not.
    """

    QUEUE_CHUNKS = 8  # bounded, so a slow hash holds back reading instead of buffering the file

    def __init__(self, hasher: Hasher) -> None:
        self._hasher = hasher
        self._queue: queue.Queue[bytes | None] = queue.Queue(self.QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._run, name="ovzoo-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._hasher.update(chunk)

    def update(self, data: bytes) -> None:
        self._queue.put(data)

    def __enter__(self) -> BackgroundHasher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(None)
        self._thread.join()
