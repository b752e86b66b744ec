"""A tiny HTTP server for a local folder, with ``Range`` support: the demo's and the tests' mirror."""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger(__name__)

SINGLE_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
LOOPBACK = "127.0.0.1"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte span of a single-range ``Range`` header; None to send the whole file.

    Raises:
        ValueError: a range that doesn't fit the file (the server answers 416).
    """
    match = SINGLE_RANGE.fullmatch((header or "").strip())
    if not match or match.group(1) == match.group(2) == "":
        return None  # absent, multi-range or malformed: RFC 9110 lets us ignore it
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError(f"range {header!r} outside a {size}-byte file")
    return start, end


class _MirrorHandler(BaseHTTPRequestHandler):
    root: Path  # set on the subclass made by serve_directory
    on_sent: Callable[[int], None] | None = None
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("local mirror: " + format, *args)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def _serve(self, send_body: bool) -> None:
        path = self._resolve()
        if path is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        size = path.stat().st_size
        try:
            span = parse_range(self.headers.get("Range"), size)
        except ValueError:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span if span else (0, size - 1)
        length = max(0, end - start + 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
        if span:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        if send_body and length:
            with path.open("rb") as f:
                try:
                    sent = self.connection.sendfile(f, start, length)  # zero-copy on Linux
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client went away (killed or timed out): nothing to do
            if self.on_sent is not None:
                self.on_sent(sent)

    def _resolve(self) -> Path | None:
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        if not relative or "\x00" in relative or ".." in Path(relative).parts:
            return None
        path = (self.root / relative).resolve()
        if not path.is_file() or not path.is_relative_to(self.root):
            return None
        return path


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server whose request errors are log lines, not tracebacks on stderr.

    A client that hangs up mid-request (a killed download, a keep-alive connection closed with a
    reset) is routine for a mirror; socketserver would print a traceback for each.
    """

    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            log.debug("local mirror: %s hung up (%s)", client_address[0], error)
        else:
            log.warning(
                "local mirror: a request from %s failed: %s: %s",
                client_address[0],
                type(error).__name__,
                error,
            )


@contextmanager
def serve_directory(root: Path, on_sent: Callable[[int], None] | None = None) -> Iterator[str]:
    """Serve the files under ``root`` on 127.0.0.1 (a free port) while the block runs; yields the base URL.

    ``on_sent`` is called (from server threads) with the body bytes of each completed response.
    """
    attributes = {"root": Path(root).resolve(), "on_sent": staticmethod(on_sent) if on_sent else None}
    handler = type("MirrorHandler", (_MirrorHandler,), attributes)
    server = LoopbackHTTPServer((LOOPBACK, 0), handler)  # listening before the thread starts
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ovzoo-local-mirror", daemon=True
    )
    thread.start()
    try:
        port = server.server_address[1]
        yield f"http://{LOOPBACK}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
