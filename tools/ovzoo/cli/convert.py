"""``ovzoo convert`` (alias ``ovzoo_converter``): MXNet checkpoints -> OpenVINO IR.

Two forms: catalog models with omz_converter's flags (``--name``, ``--all`` ...), or one checkpoint
with the legacy ``mo`` flags (``--input_model X-0000.params --input_shape ...``), so that a script that
called ``mo`` works with only the command changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ovzoo.catalog.model import Model
from ovzoo.cli.common import (
    add_directory_args,
    add_dry_run,
    add_model_selection_args,
    command_parser,
    output_dir,
    precision_list,
    report_failures,
    run_on_models,
)
from ovzoo.convert.converter import convert_models
from ovzoo.vocabulary.precisions import CONVERTED_PRECISIONS
from ovzoo.vocabulary.spec import SHORT_FLAGS


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


NO_GRAPH_REWRITES = "--no_graph_rewrites"  # ovzoo's own flags, in both command forms
WEIGHTS_IN_MEMORY = "--weights_in_memory"
WEIGHTS_IN_MEMORY_HELP = (
    "hold every weight in memory while converting, not in a scratch file beside the IR: faster for "
    "large checkpoints (about 0.3 s per 100 MB), peak RSS about 1.1x the checkpoint more (same files)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo convert",
        description="Convert downloaded MXNet checkpoints to OpenVINO IR (<out>/public/<name>/<PREC>/<name>.xml), "
        "interpreting each model's model_optimizer_args; no Model Optimizer needed.",
        epilog=MO_USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_model_selection_args(parser)
    add_directory_args(parser, "where ovzoo download put the models", "where to write the IR")
    parser.add_argument(
        "--precisions",
        type=precision_list(CONVERTED_PRECISIONS),
        default=("FP16", "FP32"),
        metavar="PREC[,PREC]",
        help=f"IR precisions to produce, comma-separated: {','.join(CONVERTED_PRECISIONS)} (default: FP16,FP32)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=parse_jobs,
        default=1,
        metavar="N|auto",
        help="models converted in parallel (default 1; auto = one per CPU)",
    )
    add_dry_run(parser, "print what would be read and written, per model and precision; write nothing")
    parser.add_argument(
        NO_GRAPH_REWRITES,
        dest="graph_rewrites",
        action="store_false",
        help="write the graph as translated: skip the measured speed rewrites (merged convolution groups)",
    )
    parser.add_argument(
        WEIGHTS_IN_MEMORY, dest="spill_weights", action="store_false", help=WEIGHTS_IN_MEMORY_HELP
    )
    return parser


MO_USAGE = """\
any MXNet checkpoint, with the legacy mo flags (instead of --name/--all):
  ovzoo convert --input_model PREFIX-EPOCH.params [--input_symbol PREFIX-symbol.json]
      [--input NAME[,NAME...]] [--input_shape [N,C,H,W][,[...]]] [--batch N]
      [--mean_values [R,G,B]] [--scale_values [R,G,B]] [--scale S] [--reverse_input_channels]
      [--layout NCHW] [--output NODE[,NODE...]] [--output_dir DIR] [--model_name NAME]
      [--compress_to_fp16[=True|False]] [--data_type FP16|FP32] [--no_graph_rewrites]
      [--weights_in_memory]
  writes DIR/NAME.xml + .bin (default: ./PREFIX-EPOCH.xml, weights compressed to FP16 as mo did)"""


def is_mo_command_line(argv: list[str]) -> bool:
    """True for the ``mo`` form: ``--input_model`` (or ``-m``) among the arguments."""
    return any(SHORT_FLAGS.get(a, a).partition("=")[0] == "--input_model" for a in argv)


def convert_mo_command_line(argv: list[str]) -> int:
    """``ovzoo convert --input_model ...``: one checkpoint, one IR."""
    from ovzoo.convert.checkpoint import convert_checkpoint
    from ovzoo.vocabulary.spec import parse_mo_command_line

    if "-h" in argv or "--help" in argv:
        print(MO_USAGE)
        return 0
    started = time.perf_counter()
    graph_rewrites, spill_weights = NO_GRAPH_REWRITES not in argv, WEIGHTS_IN_MEMORY not in argv
    spec, target = parse_mo_command_line([a for a in argv if a not in (NO_GRAPH_REWRITES, WEIGHTS_IN_MEMORY)])
    xml = convert_checkpoint(spec, target, graph_rewrites, spill_weights)
    print(xml)
    print(f"{spec.model_name}: converted in {time.perf_counter() - started:.2f} s", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if is_mo_command_line(argv):
        return convert_mo_command_line(argv)
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    report = convert_models(
        models,
        args.download_dir,
        output_dir(args),
        args.precisions,
        args.dry_run,
        args.jobs,
        args.graph_rewrites,
        args.spill_weights,
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
    return report_failures("convert", report.failures)
