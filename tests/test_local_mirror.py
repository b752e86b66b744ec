"""serve_directory: a real local HTTP mirror with Range support (the demo's and tests' server)."""

from __future__ import annotations

import http.client
import socket
import struct
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from ovzoo.download.local_mirror import parse_range, serve_directory

DATA = bytes(range(256)) * 40


@pytest.fixture
def mirror(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "root" / "sub").mkdir(parents=True)
    (tmp_path / "root" / "sub" / "w.bin").write_bytes(DATA)
    (tmp_path / "secret.txt").write_text("outside")
    sent: list[int] = []
    with serve_directory(tmp_path / "root", on_sent=sent.append) as base_url:
        yield base_url, sent


@pytest.mark.parametrize(
    ("range_header", "status", "body", "content_range"),
    [
        (None, 200, DATA, None),
        ("bytes=100-", 206, DATA[100:], f"bytes 100-{len(DATA) - 1}/{len(DATA)}"),
        ("bytes=10-19", 206, DATA[10:20], f"bytes 10-19/{len(DATA)}"),
        ("bytes=-5", 206, DATA[-5:], f"bytes {len(DATA) - 5}-{len(DATA) - 1}/{len(DATA)}"),
        ("bytes=0-1,5-6", 200, DATA, None),  # multi-range: ignored, as RFC 9110 allows
        (f"bytes={len(DATA)}-", 416, b"", f"bytes */{len(DATA)}"),
    ],
    ids=["whole", "open-range", "closed-range", "suffix", "multi-range-ignored", "past-the-end"],
)
def test_ranges(
    mirror, range_header: str | None, status: int, body: bytes, content_range: str | None
) -> None:  # type: ignore[no-untyped-def]
    base_url, sent = mirror
    headers = {"Range": range_header} if range_header else {}
    response = requests.get(base_url + "sub/w.bin", headers=headers, timeout=5)
    assert response.status_code == status
    assert response.content == body
    assert response.headers.get("Content-Range") == content_range
    deadline = time.monotonic() + 5  # the server thread counts after its last write, maybe after we read
    while sum(sent) != len(body) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sum(sent) == len(body)


@pytest.mark.parametrize(
    "path", ["missing.bin", "sub", "../secret.txt", "sub/../../secret.txt", "%2e%2e/secret.txt"]
)
def test_only_files_under_the_root_are_served(mirror, path: str) -> None:  # type: ignore[no-untyped-def]
    base_url, _ = mirror
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    connection.request("GET", "/" + path)  # raw, so the client doesn't normalise the '..'
    assert connection.getresponse().status == 404
    connection.close()


def test_head_sends_no_body(mirror) -> None:  # type: ignore[no-untyped-def]
    base_url, sent = mirror
    response = requests.head(base_url + "sub/w.bin", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(DATA))
    assert sent == []


def test_parse_range_rejects_an_inverted_range() -> None:
    with pytest.raises(ValueError):
        parse_range("bytes=9-3", 100)


def test_a_client_resetting_mid_request_leaves_no_traceback(
    mirror: tuple[str, list[int]], capfd: pytest.CaptureFixture[str]
) -> None:
    base_url, _ = mirror
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port)) as client:
        client.sendall(b"GET /sub/w.bin HT")  # half a request line, then a reset instead of a close
        time.sleep(0.1)
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    time.sleep(0.3)  # the server thread reads the reset
    assert requests.get(base_url + "sub/w.bin", timeout=10).content == DATA  # still serving
    assert "Traceback" not in capfd.readouterr().err
