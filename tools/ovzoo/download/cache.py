"""A content-addressed blob cache shared by processes: ``<root>/v1/<algorithm>/ab/cdef...``.

Writers take a per-blob file lock and put blobs atomically (copy into ``<root>/v1/staging``, fsync,
rename), so a reader sees a whole blob or none. Reading never writes, so a read-only cache works;
every read re-hashes the bytes, so a corrupt entry is noticed, dropped and fetched again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import filelock

from ovzoo.atomic import atomic_write
from ovzoo.catalog.model import Checksum
from ovzoo.download.hashing import CHUNK_SIZE, new_hasher

log = logging.getLogger(__name__)

LAYOUT_VERSION = "v1"

CacheLookup = Literal["hit", "miss", "corrupt"]


class _CorruptEntry(Exception):
    """Raised inside atomic_write so that a bad copy is discarded."""


class BlobCache:
    """Blobs keyed by their checksum under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._versioned = self.root / LAYOUT_VERSION

    def blob_path(self, checksum: Checksum) -> Path:
        return self._versioned / checksum.algorithm / checksum.value[:2] / checksum.value[2:]

    @contextmanager
    def locked(self, checksum: Checksum) -> Iterator[bool]:
        """Hold the blob's file lock; yields False (no lock) when the cache can't be written."""
        lock_path = self.blob_path(checksum).with_suffix(".lock")
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(lock_path)
            lock.acquire()
        except OSError as e:
            log.debug("cache %s is not writable (%s); going on without a lock", self.root, e)
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def copy_out(self, checksum: Checksum, size: int, dest: Path) -> CacheLookup:
        """Copy the blob to ``dest`` (atomically), checking size and hash on the way; reads only."""
        blob = self.blob_path(checksum)
        try:
            source = blob.open("rb")
        except OSError:
            return "miss"
        try:
            with source, atomic_write(dest) as out:
                if os.fstat(source.fileno()).st_size != size:
                    raise _CorruptEntry
                hasher = new_hasher(checksum)
                while chunk := source.read(CHUNK_SIZE):
                    hasher.update(chunk)
                    out.write(chunk)
                if hasher.hexdigest() != checksum.value:
                    raise _CorruptEntry
        except _CorruptEntry:
            log.warning("cache entry %s is corrupt; fetching the file again", blob)
            return "corrupt"
        return "hit"

    def drop(self, checksum: Checksum) -> None:
        """Remove a (corrupt) blob; a read-only cache is left as it is."""
        try:
            self.blob_path(checksum).unlink(missing_ok=True)
        except OSError as e:
            log.debug("can't drop %s: %s", self.blob_path(checksum), e)

    def put(self, source: Path, checksum: Checksum) -> None:
        """Store a verified file; failures (read-only cache, disk full) are logged, not raised."""
        blob = self.blob_path(checksum)
        staging = self._versioned / "staging"
        try:
            staging.mkdir(parents=True, exist_ok=True)
            blob.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f"{checksum.value[:16]}.", suffix=".tmp", dir=staging)
        except OSError as e:
            log.debug("not caching %s: %s", source, e)
            return
        tmp = Path(tmp_name)
        os.close(fd)
        try:
            if not _link_into(source, tmp):
                with tmp.open("wb") as out, source.open("rb") as src:
                    shutil.copyfileobj(src, out, CHUNK_SIZE)
                    out.flush()
                    os.fsync(out.fileno())
            os.replace(tmp, blob)
        except OSError as e:
            log.warning("not caching %s: %s", source, e)
            tmp.unlink(missing_ok=True)


def _link_into(source: Path, tmp: Path) -> bool:
    """Hard-link ``source`` over ``tmp`` (same filesystem): a put that costs no copy.

    Sharing the inode is safe because nothing ovzoo does edits a downloaded file in place
    (postprocessing replaces files atomically or deletes them), and every cache read re-hashes,
    so a blob changed through the other link would be caught and dropped like any corrupt entry.
    """
    try:
        tmp.unlink()
        os.link(source, tmp)
    except OSError:
        return False
    return True
