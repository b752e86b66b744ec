"""``ovzoo benchmark``: benchmark_app on each IR and the MXNet original timed the same way, one table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ovzoo.benchmark import BenchmarkOptions, format_measurements, run_benchmarks
from ovzoo.catalog.model import Model
from ovzoo.cli.common import (
    add_directory_args,
    add_dry_run,
    add_model_selection_args,
    command_parser,
    output_dir,
    positive_float,
    positive_int,
    precision_list,
    report_failures,
    run_on_models,
)
from ovzoo.vocabulary.layout import ir_path, model_dir
from ovzoo.vocabulary.precisions import ALL_PRECISIONS


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo benchmark",
        description="Run OpenVINO's benchmark_app on converted IRs and time the original MXNet model the same way "
        "(one request at a time, same batch, same duration); print FPS, median latency, achieved "
        "GFLOP/s and speed-up; write results.json and fps.png.",
    )
    add_model_selection_args(parser)
    add_directory_args(
        parser,
        "where ovzoo download put the MXNet checkpoints, for timing the original",
        "where ovzoo convert wrote the IRs",
    )
    parser.add_argument(
        "--precisions",
        type=precision_list(ALL_PRECISIONS),
        default=("FP32", "FP16"),
        metavar="PREC[,PREC]",
        help="IR precisions to time (default: FP32,FP16)",
    )
    parser.add_argument(
        "--seconds", type=positive_float, default=10.0, help="duration of each run (default 10)"
    )
    parser.add_argument(
        "--hint",
        choices=("latency", "throughput"),
        default="latency",
        help="benchmark_app performance hint (default latency)",
    )
    parser.add_argument(
        "--infer_precision",
        dest="infer_precisions",
        choices=("f32", "bf16", "default"),
        action="append",
        default=None,
        help="inference precision: f32, bf16, or the device default (repeat for several; default f32)",
    )
    parser.add_argument("--batch", type=positive_int, default=1, help="batch size (default 1)")
    parser.add_argument(
        "--reference",
        choices=("mxnet", "none"),
        default="mxnet",
        help="also time the MXNet original (default) or not",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("benchmark-out"),
        metavar="DIR",
        help="where results.json, fps.png and benchmark_app's reports go (default benchmark-out)",
    )
    add_dry_run(
        parser, "print the IRs and runs that would be timed and where results go; run and write nothing"
    )
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    options = BenchmarkOptions(
        seconds=args.seconds,
        hint=args.hint,
        batch=args.batch,
        infer_precisions=tuple(dict.fromkeys(args.infer_precisions or ["f32"])),
    )
    if args.dry_run:
        for model in models:
            for precision in args.precisions:
                xml = ir_path(output_dir(args), model, precision)
                print(
                    f"{model.name} {precision}: would time {xml} ({', '.join(options.infer_precisions)} inference)"
                )
            if args.reference == "mxnet":
                print(
                    f"{model.name} MXNet: would time the original from {model_dir(args.download_dir, model)}"
                )
        print(f"would write {args.output / 'results.json'} and {args.output / 'fps.png'}")
        return 0
    report = run_benchmarks(
        models, output_dir(args), args.precisions, options, args.output, args.download_dir, args.reference
    )
    print(format_measurements(report.measurements))
    print(
        f"results: {report.results_json}" + (f", chart: {report.chart}" if report.chart else ""),
        file=sys.stderr,
    )
    return report_failures("benchmark", report.failures)
