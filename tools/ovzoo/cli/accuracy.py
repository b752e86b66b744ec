"""``ovzoo accuracy``: top-1/top-5 of every launcher in an accuracy-check config, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

from ovzoo.accuracy.config import load_accuracy_config
from ovzoo.accuracy.evaluate import AccuracyOptions, run_accuracy
from ovzoo.accuracy.report import format_report, write_json
from ovzoo.cli.common import add_dry_run, command_parser, precision_list
from ovzoo.vocabulary.precisions import ALL_PRECISIONS


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo accuracy",
        description="Evaluate every launcher of an accuracy-check config (MXNet original, OpenVINO IRs) on a "
        "labelled image folder with the accuracy checker's preprocessing; print top-1/top-5 "
        "next to the config's references and the MXNet original.",
    )
    parser.add_argument("-c", "--config", type=Path, required=True, help="accuracy-check config (.yml)")
    parser.add_argument(
        "-s",
        "--source",
        type=Path,
        required=True,
        metavar="SOURCE_DIR",
        help="folder that the dataset's data_source (image folder) is relative to",
    )
    parser.add_argument(
        "-a",
        "--annotation",
        type=Path,
        required=True,
        metavar="ANNOTATION",
        help="the annotation file ('<file> <label>' lines), or the folder holding it",
    )
    parser.add_argument(
        "-m",
        "--models",
        type=Path,
        default=Path.cwd(),
        metavar="MODELS_DIR",
        help="ovzoo download/convert output root: public/<name>/... (default: current directory)",
    )
    parser.add_argument(
        "-d",
        "--definitions",
        type=Path,
        default=None,
        help="dataset definitions (default: dataset_definitions.yml beside the resolved config)",
    )
    parser.add_argument(
        "--precisions",
        type=precision_list(ALL_PRECISIONS),
        default=None,
        metavar="PREC[,PREC]",
        help=f"IR precisions to evaluate: {','.join(ALL_PRECISIONS)} (default: every one present)",
    )
    parser.add_argument(
        "--inference_precision",
        choices=("f32", "default"),
        default="f32",
        help="f32 (default): float parts of the IR run in f32; default: the device decides "
        "(bf16 on CPUs with AVX512-BF16/AMX)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="FILE", help="also write the results as JSON"
    )
    parser.add_argument("--no_progress", action="store_true", help="no progress bar on stderr")
    add_dry_run(parser, "read the config and print what would be evaluated; run and write nothing")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    options = AccuracyOptions(
        args.config,
        args.source,
        args.annotation,
        args.models,
        args.precisions,
        args.inference_precision,
        args.definitions,
        progress=not args.no_progress,
    )
    if args.dry_run:
        config = load_accuracy_config(args.config, args.definitions)
        for entry in config.models:
            for launcher in entry.launchers:
                datasets = ", ".join(d.name for d in entry.datasets)
                print(f"{entry.name}: would evaluate the {launcher.framework} launcher on {datasets}")
        if args.json is not None:
            print(f"would write {args.json}")
        return 0
    report = run_accuracy(options)
    print(format_report(report))
    if args.json is not None:
        write_json(report, args.json)
    return 0
