"""``ovzoo convert`` (alias ``ovzoo_converter``): MXNet checkpoints -> OpenVINO IR, omz_converter's flags."""

from __future__ import annotations

import argparse
import os
import sys

from ovzoo.cli.common import (
    add_directory_args,
    add_model_selection_args,
    output_dir,
    precision_list,
    select_from_args,
)
from ovzoo.convert.converter import IR_PRECISIONS, convert_models
from ovzoo.errors import UsageError


def parse_jobs(text: str) -> int:
    """``N`` (>= 1) or ``auto`` (one per CPU)."""
    if text == "auto":
        return os.cpu_count() or 1
    try:
        jobs = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer or 'auto', got {text!r}")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ovzoo convert",
        description="Convert downloaded MXNet checkpoints to OpenVINO IR (<out>/public/<name>/<PREC>/<name>.xml), "
        "interpreting each model's model_optimizer_args; no Model Optimizer needed.",
    )
    add_model_selection_args(parser)
    add_directory_args(parser, "where ovzoo download put the models", "where to write the IR")
    parser.add_argument(
        "--precisions",
        type=precision_list(IR_PRECISIONS),
        default=("FP16", "FP32"),
        metavar="PREC[,PREC]",
        help=f"IR precisions to produce, comma-separated: {','.join(IR_PRECISIONS)} (default: FP16,FP32)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=parse_jobs,
        default=1,
        metavar="N|auto",
        help="models converted in parallel (default 1; auto = one per CPU)",
    )
    parser.add_argument(
        "--dry_run",
        action="store_true",
        help="print what would be read and written, per model and precision; write nothing",
    )
    parser.add_argument(
        "--no_graph_rewrites",
        dest="graph_rewrites",
        action="store_false",
        help="write the graph as translated: skip the measured speed rewrites (merged convolution groups)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    models = select_from_args(args)
    if models is None:
        return 0
    if not models:
        raise UsageError("no models selected")
    report = convert_models(
        models, args.download_dir, output_dir(args), args.precisions, args.dry_run, args.jobs, args.graph_rewrites
    )
    for result in report.results:
        if result.dry_run:
            print("\n".join(result.plan))
        else:
            for precision, xml in result.irs.items():
                print(f"{result.model} {precision}: {xml}")
            print(
                f"{result.model}: converted in {result.seconds:.2f} s (input: {result.input_chain})",
                file=sys.stderr,
            )
    if report.failed:
        for error in report.failed.values():
            print(f"ovzoo convert: error: {error}", file=sys.stderr)
        print("FAILED:", file=sys.stderr)
        for name in report.failed:
            print(f"  {name}", file=sys.stderr)
        return 1
    return 0
