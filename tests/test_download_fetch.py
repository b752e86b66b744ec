"""fetch_file against a real HTTP server that fails in scripted ways: each case ends in a byte-exact
file or a clean DownloadError, and never leaves anything at the final path on failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ovzoo.download.fetch import RetryPolicy, fetch_file, part_path
from ovzoo.errors import ChecksumMismatch, DownloadError, IncompleteDownload, TransientDownloadError
from support.downloads import checksum_of, payload
from support.http_faults import FaultServer, running_fault_server

SIZE = 3 * (1 << 20) + 12345  # a few chunks plus a ragged end
DATA = payload(SIZE, seed=1)
HALF = SIZE // 2
FAST = RetryPolicy(attempts=3, base_delay=0.01, timeout=0.5)


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    with running_fault_server() as server:
        yield server


def fetch(
    server: FaultServer,
    tmp_path: Path,
    *behaviours: str,
    policy: RetryPolicy = FAST,
    algorithm: str = "sha384",
) -> Path:
    url = server.add("model.bin", DATA, *behaviours)
    target = tmp_path / "out" / "model.bin"
    with requests.Session() as session:
        fetch_file([url], target, SIZE, checksum_of(DATA, algorithm), session=session, policy=policy)
    return target


RECOVERS = {
    "plain": (),
    "sha256-checksum": (),
    "dropped-mid-body-then-resumed": (f"drop_at:{HALF}",),
    "503-burst": ("status:503", "status:503"),
    "stalled-past-timeout": ("stall:2",),
    "wrong-bytes-once": ("wrong_bytes",),
    "redirect": ("redirect:/model.bin",),
    "500-then-drop-then-ok": ("status:500", "drop_at:1000"),
}


@pytest.mark.parametrize("behaviours", RECOVERS.values(), ids=RECOVERS.keys())
def test_recovers_to_a_byte_exact_file(
    fault_server: FaultServer, tmp_path: Path, behaviours: tuple[str, ...], request: pytest.FixtureRequest
) -> None:
    algorithm = "sha256" if "sha256" in request.node.callspec.id else "sha384"
    target = fetch(fault_server, tmp_path, *behaviours, algorithm=algorithm)
    assert target.read_bytes() == DATA
    assert not part_path(target).exists()


def test_a_dropped_transfer_resumes_with_range(fault_server: FaultServer, tmp_path: Path) -> None:
    fetch(fault_server, tmp_path, f"drop_at:{HALF}")
    assert [r.range for r in fault_server.requests] == [None, f"bytes={HALF}-"]
    assert fault_server.bytes_sent == SIZE  # nothing sent twice


FAILS = {
    "404": (("status:404",), DownloadError, 1),
    "503-every-time": (("status:503",) * 3, TransientDownloadError, 3),
    "stalled-every-time": (("stall:2",) * 3, TransientDownloadError, 3),
    "wrong-bytes-every-time": (("wrong_bytes",) * 3, ChecksumMismatch, 3),
    "longer-body-declared": (("longer",), IncompleteDownload, 1),
    "longer-body-undeclared": (("longer_unsized",), IncompleteDownload, 1),
}


@pytest.mark.parametrize(("behaviours", "error", "requests_made"), FAILS.values(), ids=FAILS.keys())
def test_fails_cleanly(
    fault_server: FaultServer,
    tmp_path: Path,
    behaviours: tuple[str, ...],
    error: type[Exception],
    requests_made: int,
) -> None:
    with pytest.raises(error) as raised:
        fetch(fault_server, tmp_path, *behaviours)
    target = tmp_path / "out" / "model.bin"
    assert not target.exists()
    assert len(fault_server.requests) == requests_made  # no retry for what retrying can't fix
    assert "model.bin" in str(raised.value)
    if error in (ChecksumMismatch, IncompleteDownload):
        assert not part_path(target).exists()  # wrong bytes are never resumed


def test_a_longer_body_is_not_read_to_its_end(fault_server: FaultServer, tmp_path: Path) -> None:
    with pytest.raises(IncompleteDownload, match="more than the declared"):
        fetch(fault_server, tmp_path, "longer_unsized")
    assert not (tmp_path / "out" / "model.bin").exists()


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_a_short_read_keeps_the_part_for_the_next_run(fault_server: FaultServer, tmp_path: Path) -> None:
    with pytest.raises(TransientDownloadError, match="closed after"):
        fetch(fault_server, tmp_path, f"drop_at:{HALF}", policy=RetryPolicy(attempts=1, timeout=1))
    part = part_path(tmp_path / "out" / "model.bin")
    assert part.read_bytes() == DATA[:HALF]


def test_a_part_the_server_wont_resume_is_restarted(fault_server: FaultServer, tmp_path: Path) -> None:
    target = tmp_path / "out" / "model.bin"
    target.parent.mkdir()
    part_path(target).write_bytes(DATA[:HALF])
    fetch(fault_server, tmp_path, "ignore_range")
    assert target.read_bytes() == DATA
    assert fault_server.bytes_sent == SIZE


def test_a_corrupt_part_is_discarded_and_fetched_again(fault_server: FaultServer, tmp_path: Path) -> None:
    target = tmp_path / "out" / "model.bin"
    target.parent.mkdir()
    part_path(target).write_bytes(b"\0" * HALF)  # right length, wrong bytes: only the hash can tell
    fetch(fault_server, tmp_path)
    assert target.read_bytes() == DATA
    assert [r.range for r in fault_server.requests] == [f"bytes={HALF}-", None]


def test_a_complete_part_from_a_killed_run_needs_no_request(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "model.bin"
    target.parent.mkdir()
    part_path(target).write_bytes(DATA)
    fetch(fault_server, tmp_path)
    assert target.read_bytes() == DATA
    assert fault_server.requests == []


def test_file_urls_are_a_source(tmp_path: Path) -> None:
    source = tmp_path / "src" / "model file.bin"
    source.parent.mkdir()
    source.write_bytes(DATA)
    target = tmp_path / "out" / "model.bin"
    with requests.Session() as session:
        fetch_file([source.as_uri()], target, SIZE, checksum_of(DATA), session=session, policy=FAST)
    assert target.read_bytes() == DATA


def test_a_missing_file_url_fails_without_retrying(tmp_path: Path) -> None:
    with requests.Session() as session, pytest.raises(DownloadError, match="no such file"):
        fetch_file(
            [(tmp_path / "absent.bin").as_uri()],
            tmp_path / "t.bin",
            SIZE,
            checksum_of(DATA),
            session=session,
            policy=FAST,
        )
    assert not (tmp_path / "t.bin").exists()


def test_a_refused_connection_is_retried_then_reported_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with requests.Session() as session, pytest.raises(TransientDownloadError) as raised:
        fetch_file(
            [f"http://127.0.0.1:{port}/w.bin"],
            tmp_path / "w.bin",
            SIZE,
            checksum_of(DATA),
            session=session,
            policy=FAST,
        )
    assert str(raised.value) == (
        f"http://127.0.0.1:{port}/w.bin: can't connect: [Errno 111] Connection refused (gave up after 3 attempts)"
    )
