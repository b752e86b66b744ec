"""Real processes: two downloaders sharing one cache, and a downloader killed with SIGKILL halfway."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovzoo.cli.__main__ import main
from ovzoo.download.fetch import part_path
from support.downloads import leftovers, payload, write_descriptor
from support.http_faults import FaultServer, running_fault_server

SIZE = 4 * (1 << 20)
DATA = payload(SIZE, seed=5)
SLOW = "throttle:131072:0.02"  # ~6 MB/s: slow enough to overlap two runs and to kill one halfway


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with running_fault_server() as running:
        yield running


def downloader(models_dir: Path, out: Path, cache: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "ovzoo.cli",
        "download",
        "--models_dir",
        str(models_dir),
        "--all",
        "-o",
        str(out),
        "--cache_dir",
        str(cache),
        "--timeout",
        "10",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_processes_share_one_cache(server: FaultServer, tmp_path: Path) -> None:
    models = write_descriptor(
        tmp_path / "models", "m", [("w.bin", DATA, server.add("w.bin", DATA, SLOW, SLOW))]
    )
    runs = [downloader(models, tmp_path / f"out{i}", tmp_path / "cache") for i in range(2)]
    logs = []
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err.decode()
        logs.append(err.decode())
    assert sorted("from cache" in log for log in logs) == [False, True]
    for i in range(2):
        assert (tmp_path / f"out{i}/public/m/w.bin").read_bytes() == DATA
    assert len(server.requests) == 1  # the second waited for the lock and copied from the cache
    blobs = [p for p in leftovers(tmp_path / "cache") if not p.endswith(".lock") and "staging" not in p]
    assert len(blobs) == 1


def test_a_killed_run_is_resumed_by_the_next_one(server: FaultServer, tmp_path: Path) -> None:
    models = write_descriptor(tmp_path / "models", "m", [("w.bin", DATA, server.add("w.bin", DATA, SLOW))])
    run = downloader(models, tmp_path / "out", tmp_path / "cache")
    part = part_path(tmp_path / "out/public/m/w.bin")
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size >= SIZE // 2) and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    kept = part.stat().st_size
    assert SIZE // 2 <= kept < SIZE
    server.reset_counts()
    argv = [
        "--models_dir",
        str(models),
        "--all",
        "-o",
        str(tmp_path / "out"),
        "--cache_dir",
        str(tmp_path / "cache"),
    ]
    assert main(["download", *argv]) == 0
    assert (tmp_path / "out/public/m/w.bin").read_bytes() == DATA
    assert server.sent_since_reset() == SIZE - kept  # not one byte sent twice
    assert not part.exists()
