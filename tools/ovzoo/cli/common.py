"""Command-line conventions shared by every command: the parser, model selection, -d/-o, --dry_run, types.

Flags are spelled with underscores, as the public model-zoo tools spell them (``--dry_run``,
``--num_attempts``); the dashed spelling (``--dry-run``) is accepted as an alias everywhere.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from ovzoo.catalog.loader import MODELS_DIR_ENV, load_models, select_models
from ovzoo.catalog.model import Model
from ovzoo.errors import UsageError
from ovzoo.outcome import Failure, failed_models
from ovzoo.vocabulary.precisions import check_precisions

VERBOSE_FLAGS = ("-v", "--verbose")


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser that also takes ``--some-flag`` for each ``--some_flag`` it defines, and ``-v``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # read by ovzoo.cli.__main__ before the command runs, to set the log level
        self.add_argument(
            *VERBOSE_FLAGS,
            action="store_true",
            help="details on stderr too (per-layer lists, library INFO lines); the reports have them anyway",
        )

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        return super().parse_known_args(
            None if args is None else [self._public_spelling(a) for a in args], namespace
        )

    def _public_spelling(self, arg: str) -> str:
        flag, eq, value = arg.partition("=")
        if not flag.startswith("--") or "-" not in flag[2:] or flag in self._option_string_actions:
            return arg
        underscored = "--" + flag[2:].replace("-", "_")
        return underscored + eq + value if underscored in self._option_string_actions else arg


def command_parser(prog: str, description: str, **kwargs: Any) -> CommandParser:
    """The parser every ``ovzoo`` command starts from (underscore flags, dashed aliases)."""
    return CommandParser(prog=prog, description=description, **kwargs)


def add_dry_run(
    parser: argparse.ArgumentParser, what: str = "print what would be written; write nothing"
) -> None:
    parser.add_argument("--dry_run", action="store_true", help=what)


def report_failures(command: str, failures: Sequence[Failure], heading: str = "FAILED:") -> int:
    """Print each failure on one line, then the failed models (as omz_downloader lists them); the exit code."""
    for failure in failures:
        print(f"ovzoo {command}: error: {failure}", file=sys.stderr)
    if not failures:
        return 0
    print(heading, file=sys.stderr)
    for name in failed_models(failures):
        print(name, file=sys.stderr)
    return 1


def add_model_selection_args(parser: argparse.ArgumentParser) -> None:
    """Register --name, --list, --all, --print_all (mutually exclusive) and --models_dir."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--name",
        metavar="PAT[,PAT...]",
        help="models whose names match at least one of these fnmatch patterns",
    )
    group.add_argument(
        "--list",
        type=Path,
        metavar="FILE.LST",
        help="models matching the patterns in FILE (one per line, '#' comments)",
    )
    group.add_argument("--all", action="store_true", help="every model in the catalog")
    group.add_argument("--print_all", action="store_true", help="print the names of all models and exit")
    parser.add_argument(
        "--models_dir",
        type=Path,
        metavar="DIR",
        help=f"catalog root to load model.yml files from (default: ${MODELS_DIR_ENV}, "
        "else the repository's models/)",
    )


def add_directory_args(parser: argparse.ArgumentParser, download_dir_is: str, output_dir_is: str) -> None:
    """``-d/--download_dir`` (default: current directory) and ``-o/--output_dir`` (default: the download
    directory), as omz_converter has them; read the output back with :func:`output_dir`."""
    parser.add_argument(
        "-d",
        "--download_dir",
        type=Path,
        default=Path.cwd(),
        help=f"{download_dir_is} (default: current directory)",
    )
    parser.add_argument(
        "-o",
        "--output_dir",
        type=Path,
        default=None,
        help=f"{output_dir_is} (default: the download directory)",
    )


def output_dir(args: argparse.Namespace) -> Path:
    """``--output_dir``, or the download directory when it was not given."""
    return args.output_dir if args.output_dir is not None else args.download_dir


def run_on_models(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    run: Callable[[argparse.Namespace, list[Model]], int],
    allow_empty: bool = False,
) -> int:
    """Parse ``argv``, choose the models (:func:`select_from_args`), and ``run`` the command on them.

    Returns 0 without running when ``--print_all`` only printed the names.
    """
    args = parser.parse_args(argv)
    models = select_from_args(args, allow_empty)
    return 0 if models is None else run(args, models)


def select_from_args(args: argparse.Namespace, allow_empty: bool = False) -> list[Model] | None:
    """The models the flags choose; None when --print_all printed the names (the caller returns 0).

    Raises:
        UsageError: no selection flag given, or (unless ``allow_empty``) a selection with no model in it.
        DescriptorError, ModelSelectionError: a broken catalog or a pattern matching nothing.
    """
    if not (args.print_all or args.all or args.name is not None or args.list is not None):
        raise UsageError("one of --name, --list, --all or --print_all is required")
    models = load_models(args.models_dir)
    if args.print_all:
        for model in models:
            print(model.name)
        return None
    selected = select_models(models, names=args.name, list_file=args.list, all_models=args.all)
    if not selected and not allow_empty:
        raise UsageError("no models selected")
    return selected


# --- argument types shared by the commands (argparse turns ArgumentTypeError into a usage error, exit 2)


def precision_list(allowed: Collection[str]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type for ``--precisions A,B``: known names only, duplicates dropped, order kept."""

    def parse(text: str) -> tuple[str, ...]:
        try:
            return check_precisions((p.strip() for p in text.split(",") if p.strip()), tuple(allowed))
        except UsageError as e:
            raise argparse.ArgumentTypeError(e.problem) from None

    return parse


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value
