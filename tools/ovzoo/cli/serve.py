"""``ovzoo serve REPO``: serve a Model Server repository over KServe V2 REST, as OVMS does."""

from __future__ import annotations

import argparse
from pathlib import Path

from ovzoo.cli.common import command_parser, positive_float, positive_int
from ovzoo.extras import import_optional


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo serve",
        description="Serve REPO (written by 'ovzoo export --format ovms': REPO/config.json and "
        "REPO/<name>/<version>/) with OpenVINO over the KServe V2 REST protocol. SIGTERM stops it "
        "cleanly after the requests in flight.",
    )
    parser.add_argument("repository", type=Path, metavar="REPO", help="the model repository")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8000, help="port (default: 8000; 0 = any free)")
    parser.add_argument(
        "--max_body_mb",
        type=positive_float,
        default=64.0,
        help="larger request bodies get 413 (default: 64 MiB)",
    )
    parser.add_argument(
        "--shutdown_timeout",
        type=positive_int,
        default=30,
        metavar="SECONDS",
        help="how long a stop waits for requests in flight (default: 30)",
    )
    return parser


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port 0..65535, got {text!r}")
    return int(text)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    for module in ("fastapi", "uvicorn"):  # the serve extra: one clear error when it is missing
        import_optional(module)
    from ovzoo.serve.server import ServeOptions, serve_repository

    options = ServeOptions(
        host=args.host,
        port=args.port,
        max_body_bytes=int(args.max_body_mb * (1 << 20)),
        shutdown_timeout_s=args.shutdown_timeout,
    )

    def listening(host: str, port: int) -> None:
        print(f"serving {args.repository} on http://{host}:{port}", flush=True)

    serve_repository(args.repository, options, listening)
    return 0
