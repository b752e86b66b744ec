"""BackgroundFlusher: bytes start going to disk during a download, and a flush failure never breaks one."""

from __future__ import annotations

import os
import threading

import pytest

from ovzoo.download import flush
from ovzoo.download.flush import FLUSH_EVERY, BackgroundFlusher


def _flush_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ovzoo-flush"]


def test_a_growing_file_is_synced_while_it_is_written(tmp_path, monkeypatch):
    synced: list[int] = []
    real = os.fdatasync

    def counting_fdatasync(fd: int) -> None:
        real(fd)  # the real call: only counted, not replaced
        synced.append(os.fstat(fd).st_size)

    monkeypatch.setattr(flush.os, "fdatasync", counting_fdatasync)
    chunk = os.urandom(1 << 20)
    with open(tmp_path / "blob.part", "wb", buffering=0) as f, BackgroundFlusher(f.fileno()) as flusher:
        for _ in range(3 * FLUSH_EVERY // len(chunk)):
            f.write(chunk)
            flusher.wrote(len(chunk))
    assert synced, "no fdatasync while the file grew"
    assert all(0 < size <= 3 * FLUSH_EVERY for size in synced)
    assert (tmp_path / "blob.part").stat().st_size == 3 * FLUSH_EVERY
    assert not _flush_threads()


def test_small_writes_never_flush(tmp_path, monkeypatch):
    synced: list[int] = []
    monkeypatch.setattr(flush.os, "fdatasync", synced.append)
    with open(tmp_path / "small.part", "wb", buffering=0) as f, BackgroundFlusher(f.fileno()) as flusher:
        f.write(b"x" * 1000)
        flusher.wrote(1000)
    assert synced == []


@pytest.mark.skipif(not hasattr(os, "pipe"), reason="needs os.pipe")
def test_a_descriptor_that_cannot_be_synced_is_left_to_the_final_fsync():
    read_end, write_end = os.pipe()  # fdatasync on a pipe fails with EINVAL
    try:
        with BackgroundFlusher(write_end) as flusher:
            flusher.wrote(FLUSH_EVERY)
            flusher.wrote(FLUSH_EVERY)
        assert not _flush_threads()
    finally:
        os.close(read_end)
        os.close(write_end)
