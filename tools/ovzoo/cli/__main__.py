"""``ovzoo <verb>`` dispatcher and the familiar ``ovzoo_*`` aliases.

This is the one place that turns an :class:`~ovzoo.errors.OvzooError` into a one-line message and an
exit code: 0 success, 1 a reported failure, 2 a usage error.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable

from ovzoo.cli.common import VERBOSE_FLAGS
from ovzoo.errors import OvzooError, UsageError

log = logging.getLogger("ovzoo")

# verb -> module under ovzoo.cli with a ``main(argv) -> int``; imported on use so that
# ``ovzoo info`` does not pay for importing OpenVINO.
COMMANDS: dict[str, str] = {
    "accuracy": "accuracy",
    "benchmark": "benchmark",
    "convert": "convert",
    "demo": "demo",
    "download": "download",
    "export": "export",
    "info": "info",
    "quantize": "quantize",
    "serve": "serve",
    "synth": "synth",
    "tune": "tune",
    "validate": "validate",
}


class CurrentStderrHandler(logging.StreamHandler):
    """A handler that writes to whatever ``sys.stderr`` is when a record arrives.

    A plain StreamHandler keeps the stream it was given; a caller that swaps sys.stderr (pytest's
    capture, a host redirecting output) would leave it writing to a closed file.
    """

    @property
    def stream(self):  # noqa: ANN201
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:  # noqa: ANN001
        pass


def configure_logging(verbose: bool = False) -> None:
    """Diagnostics go to stderr; results are printed to stdout by each command."""
    handler = CurrentStderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if not verbose:
        # MXNet's C++ side prints "Subgraph backend MKLDNN is activated" for every executor it binds
        os.environ.setdefault("MXNET_SUBGRAPH_VERBOSE", "0")


def run_command(verb: str, argv: list[str]) -> int:
    """Run one verb; map errors to exit codes. Returns the exit code."""
    configure_logging(verbose=any(a in VERBOSE_FLAGS for a in argv))
    if verb not in COMMANDS:
        print(f"usage: ovzoo {{{'|'.join(COMMANDS)}}} ...", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"ovzoo.cli.{COMMANDS[verb]}")
        command: Callable[[list[str]], int] = module.main
        return command(argv)
    except UsageError as e:
        print(f"ovzoo {verb}: error: {e}", file=sys.stderr)
        return 2
    except OvzooError as e:
        print(f"ovzoo {verb}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ovzoo {verb}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`ovzoo info --all | head`): not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(
            f"usage: ovzoo {{{'|'.join(COMMANDS)}}} [options]\n"
            "Run 'ovzoo <command> --help' for a command's options."
        )
        return 0 if argv else 2
    return run_command(argv[0], argv[1:])


def _alias(verb: str) -> Callable[[], int]:
    def entry() -> int:
        return run_command(verb, sys.argv[1:])

    entry.__name__ = f"{verb}_main"
    return entry


info_main = _alias("info")
download_main = _alias("download")
convert_main = _alias("convert")
validate_main = _alias("validate")
quantize_main = _alias("quantize")

if __name__ == "__main__":
    sys.exit(main())
