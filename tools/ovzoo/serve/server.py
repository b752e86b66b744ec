"""``ovzoo serve``: load a repository, bind the socket, run uvicorn until SIGTERM or Ctrl-C.

SIGTERM is a clean stop: uvicorn stops accepting connections, lets the requests in flight finish
(up to ``shutdown_timeout_s``), then the queues drain and the process exits with status 0.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from ovzoo.errors import ServeError
from ovzoo.serve.app import DEFAULT_MAX_BODY_BYTES, AppOptions, create_app
from ovzoo.serve.engine import load_models
from ovzoo.serve.repository import read_repository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port (the bound one is passed to on_listening)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    shutdown_timeout_s: int = 30


def serve_repository(
    repository: Path, options: ServeOptions, on_listening: Callable[[str, int], None] | None = None
) -> None:
    """Serve ``repository`` until stopped; returns after a clean shutdown.

    Raises:
        ServeError: a repository that can't be served, or an address that can't be bound.
    """
    models = load_models(read_repository(repository))
    app = create_app(models, AppOptions(max_body_bytes=options.max_body_bytes))
    listener = _bind(options.host, options.port)
    host, port = listener.getsockname()[:2]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=options.shutdown_timeout_s,
        server_header=False,
    )
    server = uvicorn.Server(config)
    if on_listening is not None:
        on_listening(host, port)
    # uvicorn handles SIGTERM itself, then re-raises it once it has shut down; a handler of our own
    # underneath makes that last signal a no-op, so a clean stop exits 0 instead of dying by signal
    previous = signal.signal(signal.SIGTERM, _stopped)
    try:
        server.run(sockets=[listener])
    finally:
        signal.signal(signal.SIGTERM, previous)
        listener.close()
    log.info("ovzoo serve: stopped")


def _stopped(signum: int, frame: object) -> None:
    log.debug("signal %d after shutdown", signum)


def _bind(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as e:
        raise ServeError(f"can't listen on {host}:{port}: {e.strerror or e}") from e
    return listener
