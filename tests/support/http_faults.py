"""A real HTTP server on 127.0.0.1 whose answers can be scripted to fail in the ways networks do.

Each path has a queue of behaviours; every request takes the next one (then "ok" when the queue is
empty). The server counts body bytes it sent, so tests can prove a resume sent only the missing part.

Behaviours:
    ok                  honour Range (206), else 200 with the whole file
    ignore_range        always 200 with the whole file
    drop_at:OFFSET      declare the full length, close the connection at file offset OFFSET
    status:CODE         an empty response with that status (503, 404, 500...)
    stall:SECONDS       send the headers, then nothing for SECONDS
    wrong_bytes         the whole file with one byte flipped
    longer              a body (and Content-Length) 1000 bytes longer than the file
    longer_unsized      no Content-Length, connection-delimited body 1000 bytes longer than the file
    redirect:PATH       302 to PATH on this server
    throttle:CHUNK:SECONDS  honour Range, send CHUNK bytes then sleep SECONDS, repeatedly
"""

from __future__ import annotations

import re
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from ovzoo.download.local_mirror import LoopbackHTTPServer

RANGE = re.compile(r"bytes=(\d+)-")


@dataclass
class RequestRecord:
    path: str
    range: str | None
    behaviour: str
    headers: dict[str, str]
    sent: int = 0  # body bytes written for this request


@dataclass
class FaultServer:
    base_url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)
    requests: list[RequestRecord] = field(default_factory=list)
    bytes_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def add(self, path: str, data: bytes, *behaviours: str) -> str:
        """Serve ``data`` at ``/path`` with the given behaviours queued; returns its URL."""
        self.files["/" + path.lstrip("/")] = data
        self.plan(path, *behaviours)
        return self.url(path)

    def plan(self, path: str, *behaviours: str) -> None:
        self.plans["/" + path.lstrip("/")] = list(behaviours)

    def next_behaviour(self, path: str) -> str:
        with self.lock:
            queue = self.plans.get(path, [])
            return queue.pop(0) if queue else "ok"

    def count(self, record: RequestRecord, sent: int) -> None:
        with self.lock:
            self.bytes_sent += sent
            record.sent += sent

    def sent_since_reset(self) -> int:
        """Body bytes sent for the requests made since the last reset (a killed client's
        connection may still be draining into the void; that doesn't count)."""
        with self.lock:
            return sum(record.sent for record in self.requests)

    def reset_counts(self) -> None:
        with self.lock:
            self.bytes_sent = 0
            self.requests.clear()


class _FaultHandler(BaseHTTPRequestHandler):
    server_state: FaultServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        state = self.server_state
        path = self.path.split("?", 1)[0]
        if path.startswith("http://"):  # a proxy request carries the absolute URL
            path = "/" + path.split("/", 3)[3]
        behaviour = state.next_behaviour(path)
        record = RequestRecord(self.path, self.headers.get("Range"), behaviour, dict(self.headers))
        with state.lock:
            state.requests.append(record)
        kind, _, argument = behaviour.partition(":")
        data = state.files.get(path)
        if kind == "status" or data is None:
            self._empty(int(argument) if kind == "status" else 404)
            return
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", argument)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        match = RANGE.fullmatch(self.headers.get("Range", ""))
        start = (
            int(match.group(1)) if match and kind not in ("ignore_range", "longer", "longer_unsized") else 0
        )
        if start >= len(data) and start:
            self._empty(416)
            return
        body = data[start:]
        if kind == "wrong_bytes":
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        if kind in ("longer", "longer_unsized"):
            body = body + b"X" * 1000
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        if kind == "longer_unsized":
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if kind == "stall":
            time.sleep(float(argument))
            self.close_connection = True
            return
        if kind == "drop_at":
            body = body[: max(0, int(argument) - start)]
            self.close_connection = True
        chunk, pause = len(body) or 1, 0.0
        if kind == "throttle":
            size_text, _, pause_text = argument.partition(":")
            chunk, pause = int(size_text), float(pause_text)
        try:
            for offset in range(0, len(body), chunk):
                piece = body[offset : offset + chunk]
                self.wfile.write(piece)
                state.count(record, len(piece))
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _empty(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextmanager
def running_fault_server(tls: tuple[Path, Path] | None = None) -> Iterator[FaultServer]:
    """A FaultServer listening on 127.0.0.1 (a free port) while the block runs.

    ``tls`` = (certificate, key) PEM files makes it an HTTPS server.
    """
    state = FaultServer()
    handler = type("Handler", (_FaultHandler,), {"server_state": state})
    server = LoopbackHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    scheme = "https" if tls else "http"
    state.base_url = f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 made with the openssl command: (cert.pem, key.pem)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key
