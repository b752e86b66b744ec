"""``ovzoo download`` (alias ``ovzoo_downloader``): the omz_downloader flags, plus --mirror and --timeout."""

from __future__ import annotations

import argparse
from pathlib import Path

from ovzoo.catalog.model import Model
from ovzoo.cli.common import (
    add_dry_run,
    add_model_selection_args,
    command_parser,
    positive_float,
    positive_int,
    report_failures,
    run_on_models,
)
from ovzoo.download import DownloadOptions, default_cache_dir, download_models
from ovzoo.download.sources import candidate_urls
from ovzoo.locations import CACHE_DIR_VARIABLE
from ovzoo.vocabulary.layout import model_dir


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo download",
        description="Download model files into <output_dir>/public/<name>/, verify them, and run "
        "their postprocessing. Interrupted downloads resume on the next run.",
    )
    add_model_selection_args(parser)
    parser.add_argument(
        "-o",
        "--output_dir",
        type=Path,
        default=Path.cwd(),
        metavar="DIR",
        help="where to put the models (default: the current directory)",
    )
    parser.add_argument(
        "--cache_dir",
        type=Path,
        metavar="DIR",
        help=f"shared download cache (default: ${CACHE_DIR_VARIABLE}, else {default_cache_dir()})",
    )
    parser.add_argument(
        "--num_attempts",
        type=positive_int,
        default=3,
        metavar="N",
        help="attempts per file, with exponential backoff between them (default: 3)",
    )
    parser.add_argument(
        "--progress_format",
        choices=("text", "json"),
        default="text",
        help="text: a bar on a terminal, plain lines otherwise; json: one event per line on stdout",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        default=1,
        metavar="N",
        help="models to download in parallel (default: 1)",
    )
    parser.add_argument(
        "--mirror",
        action="append",
        default=[],
        metavar="URL",
        help="base URL (http://, https://, file://) tried before each file's source, "
        "with the file name appended; repeat for several",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=60.0,
        metavar="SECONDS",
        help="network timeout for connecting and for each read (default: 60)",
    )
    add_dry_run(parser, "print each file, where it would come from and go; fetch and write nothing")
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    options = DownloadOptions(
        output_dir=args.output_dir,
        cache_dir=args.cache_dir or default_cache_dir(),
        num_attempts=args.num_attempts,
        mirrors=tuple(args.mirror),
        timeout=args.timeout,
        jobs=args.jobs,
        progress_format=args.progress_format,
    )
    if args.dry_run:
        for model in models:
            for model_file in model.files:
                urls = " then ".join(candidate_urls(model_file, options.mirrors))
                target = model_dir(options.output_dir, model) / model_file.name
                print(f"{model.name}: would fetch {target} ({model_file.size} bytes) from {urls}")
        return 0
    report = download_models(models, options)
    return report_failures("download", report.failures)
