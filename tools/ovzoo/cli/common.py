"""Command-line flags shared by every command that works on catalog models."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from ovzoo.catalog.loader import MODELS_DIR_ENV, load_models, select_models
from ovzoo.catalog.model import Model
from ovzoo.errors import UsageError


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


def select_from_args(args: argparse.Namespace) -> list[Model] | None:
    """The models the flags choose; None when --print_all printed the names (the caller returns 0).

    Raises:
        UsageError: no selection flag given.
        DescriptorError, ModelSelectionError: a broken catalog or a pattern matching nothing.
    """
    if not (args.print_all or args.all or args.name is not None or args.list is not None):
        raise UsageError("one of --name, --list, --all or --print_all is required")
    models = load_models(args.models_dir)
    if args.print_all:
        for model in models:
            print(model.name)
        return None
    return select_models(models, names=args.name, list_file=args.list, all_models=args.all)


def selected_models(args: argparse.Namespace) -> list[Model] | None:
    """:func:`select_from_args` for a command that needs at least one model (None after --print_all).

    Raises:
        UsageError: no selection flag, or a selection with no model in it.
    """
    models = select_from_args(args)
    if models is not None and not models:
        raise UsageError("no models selected")
    return models


def print_failures(verb: str, failed: Mapping[str, Exception], heading: str = "FAILED:") -> None:
    """Each model's error on one line, then the failed models' names, on stderr."""
    for error in failed.values():
        print(f"ovzoo {verb}: error: {error}", file=sys.stderr)
    print(heading, file=sys.stderr)
    for name in failed:
        print(f"  {name}", file=sys.stderr)


# --- argument types shared by the commands (argparse turns ArgumentTypeError into a usage error, exit 2)


def precision_list(allowed: Collection[str]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type for ``--precisions A,B``: known names only, duplicates dropped, order kept."""

    def parse(text: str) -> tuple[str, ...]:
        precisions = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
        unknown = [p for p in precisions if p not in allowed]
        if unknown or not precisions:
            raise argparse.ArgumentTypeError(
                f"unknown precision(s) {', '.join(unknown) or '(none)'}; choose from {','.join(allowed)}"
            )
        return precisions

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
