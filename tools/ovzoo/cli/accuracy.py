"""``ovzoo accuracy``: accuracy_check's command line (2023.3) for the launchers of an accuracy-check config.

The flags shared with accuracy_check mean what they mean there, so an ``accuracy_check ...`` line runs
with only the program name changed; ``--precisions``, ``--json`` and the MXNet comparison are ovzoo's.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from ovzoo.accuracy.config import load_accuracy_config
from ovzoo.accuracy.evaluate import AccuracyOptions, run_accuracy
from ovzoo.accuracy.launchers import PRECISION_HINTS
from ovzoo.accuracy.report import format_report, write_json
from ovzoo.accuracy.selection import Targets, plan_evaluations
from ovzoo.cli.common import add_dry_run, command_parser, precision_list
from ovzoo.vocabulary.precisions import ALL_PRECISIONS

log = logging.getLogger(__name__)


def _directory(text: str) -> Path:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a directory")
    return Path(text)


def _existing(text: str) -> Path:
    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text!r} does not exist")
    return Path(text)


def _switch(text: str) -> bool:
    """accuracy_check's boolean option values (``--ignore_metric_reference True``)."""
    value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text.lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")
    return value


def _precision_hint(text: str) -> str:
    if text.lower() not in PRECISION_HINTS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(PRECISION_HINTS)}, got {text!r}")
    return PRECISION_HINTS[text.lower()]


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo accuracy",
        description="Evaluate the launchers of an accuracy-check config (MXNet original, OpenVINO IRs) with "
        "accuracy_check's command line, preprocessing and pass/fail rule; print top-1/top-5 next to the "
        "config's references and the MXNet original. Exit 1 when a metric is FAILED.",
    )
    add = parser.add_argument
    add("-c", "--config", type=Path, required=True, help="accuracy-check config (.yml)")
    add(
        "-d",
        "--definitions",
        type=_existing,
        help="dataset definitions (default: dataset_definitions.yml beside the resolved config)",
    )
    add(
        "-m",
        "--models",
        type=_existing,
        nargs="+",
        metavar="MODELS",
        help="folder(s) the launchers' model paths are relative to; a launcher without one looks for "
        "<entry name>.xml (or the only .xml) in each; an ovzoo download/convert root works too "
        "(default: current directory)",
    )
    add("-s", "--source", type=_directory, help="folder that annotation_file and data_source are relative to")
    add(
        "-a",
        "--annotations",
        type=_directory,
        help="where accuracy_check keeps converted annotations; ovzoo reads the annotation file on every "
        "run and stores nothing there",
    )
    add("-tf", "--target_framework", help="evaluate only the launchers of this framework (openvino, mxnet)")
    add("-td", "--target_devices", nargs="+", default=(), help="device(s) for launchers without one (CPU)")
    add(
        "--inference_precision_hint",
        type=_precision_hint,
        help="f32, bf16 or f16 for the IRs' float parts (default: the device decides; bf16 on CPUs with "
        "AVX512-BF16/AMX)",
    )
    add(
        "--ignore_metric_reference",
        type=_switch,
        default=False,
        metavar="BOOL",
        help="True: a FAILED metric does not make the exit status 1",
    )
    add(
        "--precisions",
        type=precision_list(ALL_PRECISIONS),
        metavar="PREC[,PREC]",
        help=f"only IRs of these precisions ({','.join(ALL_PRECISIONS)}; default: every one found)",
    )
    add("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    add("--no_progress", action="store_true", help="no progress bar on stderr")
    add_dry_run(parser, "print what would be evaluated (launcher, model file, device); run and write nothing")
    return parser


def options_from_args(args: argparse.Namespace) -> AccuracyOptions:
    targets = Targets(
        tuple(args.models or (Path("."),)), tuple(args.target_devices), args.target_framework, args.precisions
    )
    return AccuracyOptions(
        args.config,
        args.source,
        targets,
        args.inference_precision_hint,
        args.definitions,
        progress=not args.no_progress,
    )


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    options = options_from_args(args)
    if args.dry_run:
        config = load_accuracy_config(options.config, options.definitions)
        for job in plan_evaluations(config, options.targets):
            print(
                f"{job.entry.name}: would evaluate {job.model_file} ({job.launcher.framework}, {job.device})"
            )
        if args.json is not None:
            print(f"would write {args.json}")
        return 0
    report = run_accuracy(options)
    print(format_report(report))
    if args.json is not None:
        write_json(report, args.json)
    if report.failed and not args.ignore_metric_reference:
        log.error("%s: a metric missed its reference by a threshold or more (FAILED above)", args.config)
        return 1
    return 0
