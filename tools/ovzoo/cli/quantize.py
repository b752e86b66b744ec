"""``ovzoo quantize`` (alias ``ovzoo_quantizer``): INT8 IRs with NNCF from the FP IRs ``ovzoo convert`` wrote."""

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
from ovzoo.errors import UsageError
from ovzoo.quantize import (
    DEFAULT_PRECISIONS,
    DEFAULT_SUBSET_SIZE,
    Calibration,
    QuantizeOptions,
    quantize_models,
)
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.precisions import PRECISIONS, QUANTIZED_PRECISIONS


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo quantize",
        description="Post-training INT8 quantization (NNCF, performance preset) of the FP IRs written by "
        "'ovzoo convert', for models marked 'quantizable: true'. Output: "
        "<out>/public/<name>/<FP16-INT8|FP32-INT8>/<name>.xml",
    )
    add_model_selection_args(parser)
    add_directory_args(parser, "where 'ovzoo convert' wrote the FP32/FP16 IRs", "where to write the INT8 IRs")
    parser.add_argument(
        "--precisions",
        type=precision_list(QUANTIZED_PRECISIONS),
        default=DEFAULT_PRECISIONS,
        metavar="PREC[,PREC]",
        help="comma-separated: FP16-INT8,FP32-INT8 (default: both)",
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument(
        "--dataset_dir",
        type=Path,
        metavar="DIR",
        help="ImageNet-style calibration folder: images plus val.txt ('<file> <label>' per line)",
    )
    data.add_argument(
        "--synthetic",
        action="store_true",
        help="calibrate on synthetic image-like data (recorded as such in the IR and reports)",
    )
    parser.add_argument(
        "--subset_size",
        type=positive_int,
        default=DEFAULT_SUBSET_SIZE,
        metavar="N",
        help=f"calibration images: the first N of val.txt (default {DEFAULT_SUBSET_SIZE})",
    )
    parser.add_argument(
        "--quantize_all_layers",
        action="store_true",
        help="also quantize grouped convolutions whose groups are not a multiple of 4 channels (by default "
        "they stay in float: OpenVINO's CPU plugin has no fast INT8 kernel for them)",
    )
    parser.add_argument(
        "--no_graph_rewrites",
        dest="graph_rewrites",
        action="store_false",
        help="don't merge those layers' groups to a multiple of 4 channels first (by default they are merged, "
        "and so quantized, where that measures faster on this machine)",
    )
    add_dry_run(parser, "print each FP IR and the INT8 IR it would become; read and write nothing")
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    if args.dataset_dir is None and not args.synthetic:
        raise UsageError("calibration data needed: give --dataset_dir DIR or --synthetic")
    calibration = Calibration(
        "synthetic" if args.synthetic else "dataset", args.subset_size, args.dataset_dir
    )
    options = QuantizeOptions(
        args.download_dir,
        output_dir(args),
        calibration,
        args.precisions,
        keep_slow_layers_float=not args.quantize_all_layers,
        graph_rewrites=args.graph_rewrites,
    )
    if args.dry_run:
        for model in models:
            for precision in args.precisions:
                source = ir_path(
                    options.download_dir, model, PRECISIONS[precision].quantized_from or precision
                )
                target = ir_path(options.output_dir, model, precision)
                print(
                    f"{model.name} {precision}: would quantize {source} -> {target} ({calibration.kind} calibration)"
                )
        return 0
    report = quantize_models(models, options)
    for result in report.results:
        print(f"{result.model} {result.precision}: {result.xml}")
        kept = f"; {len(result.kept_float)} layers kept float" if result.kept_float else ""
        print(
            f"{result.model} {result.precision}: {result.seconds:.1f} s, calibration {result.calibration}{kept}",
            file=sys.stderr,
        )
    return report_failures("quantize", report.failures)
