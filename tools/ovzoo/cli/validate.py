"""``ovzoo validate`` (alias ``ovzoo_validator``): check converted IRs; a table, JSON, exit 1 on any failure."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ovzoo.catalog.model import Model
from ovzoo.cli.common import (
    add_directory_args,
    add_dry_run,
    add_model_selection_args,
    command_parser,
    output_dir,
    positive_int,
    precision_list,
    report_failures,
    run_on_models,
)
from ovzoo.validate.batch import default_precisions, validate_models
from ovzoo.validate.junit import write_junit
from ovzoo.validate.report import format_reports, write_json
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.precisions import ALL_PRECISIONS


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo validate",
        description="Check converted IRs: I/O contract, layer shapes, parameters and GFLOPs against the model card, "
        "behaviour, and parity with the original MXNet model. Exit 1 if any check fails.",
    )
    add_model_selection_args(parser)
    add_directory_args(
        parser, "where ovzoo download put the checkpoints", "where ovzoo convert wrote the IRs"
    )
    parser.add_argument(
        "--precisions",
        type=precision_list(ALL_PRECISIONS),
        default=None,
        metavar="PREC[,PREC]",
        help=f"IR precisions to check, comma-separated, from {','.join(ALL_PRECISIONS)} "
        "(default: FP32,FP16 and the INT8 IRs that exist)",
    )
    parser.add_argument(
        "--reference",
        choices=("mxnet", "none"),
        default="mxnet",
        help="compare with the original model run in MXNet (default) or skip parity",
    )
    parser.add_argument(
        "--images",
        type=positive_int,
        default=16,
        help="synthetic images per check (default 16; at least 4 for the batch check)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="FILE", help="also write the report as JSON"
    )
    parser.add_argument(
        "--junit_xml",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the report as JUnit XML for CI: one test case per model, precision and check",
    )
    add_dry_run(parser, "print the IRs that would be checked and the report files; run and write nothing")
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    ir_dir = output_dir(args)
    if args.dry_run:
        for model in models:
            for precision in args.precisions or default_precisions(model, ir_dir):
                print(f"{model.name} {precision}: would check {ir_path(ir_dir, model, precision)}")
        for report_file in (args.json, args.junit_xml):
            if report_file is not None:
                print(f"would write {report_file}")
        return 0
    run = validate_models(models, args.download_dir, ir_dir, args.precisions, args.reference, args.images)
    reports = run.reports
    print(format_reports(reports))
    if args.json is not None:
        write_json(reports, args.json)
    if args.junit_xml is not None:
        write_junit(reports, args.junit_xml)
    for report in reports:
        # the table shortens long cells; a failed check's reason is printed whole (it may say what to install)
        for check in report.failed:
            where = f"{report.model} {check.precision}" if check.precision else report.model
            print(f"{where}: {check.name}: {check.detail or check.measured}", file=sys.stderr)
        verdict = "passed" if report.passed else f"FAILED {len(report.failed)} of {len(report.checks)} checks"
        print(f"{report.model}: {verdict}", file=sys.stderr)
    return max(report_failures("validate", run.failures), 0 if run.passed else 1)
