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
from ovzoo.errors import UsageError
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
WEIGHTS_IN = "--weights_in"
WEIGHT_PLACES = ("disk", "memory")
WEIGHTS_IN_HELP = (
    "where the weights wait while converting: disk, an unlinked scratch file beside the IR (peak RSS "
    "the runtime plus ~0.25x the checkpoint; ~0.25 s slower per 100 MB), or memory (~1.1x); the same "
    "files either way (default: disk for catalog models, memory for --input_model)"
)


def pop_weights_in(argv: list[str]) -> tuple[str | None, list[str]]:
    """The mo form's ``--weights_in PLACE`` (or ``=PLACE``) and the other arguments.

    Raises:
        UsageError: no place, or one that is not disk or memory.
    """
    rest, place, i = [], None, 0
    while i < len(argv):
        flag, equals, value = argv[i].partition("=")
        if flag != WEIGHTS_IN:
            rest.append(argv[i])
        else:
            if not equals:
                i += 1
                value = argv[i] if i < len(argv) else ""
            if value not in WEIGHT_PLACES:
                raise UsageError(f"{WEIGHTS_IN}: expected one of {', '.join(WEIGHT_PLACES)}, got {value!r}")
            place = value
        i += 1
    return place, rest


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
    parser.add_argument(WEIGHTS_IN, choices=WEIGHT_PLACES, default="disk", help=WEIGHTS_IN_HELP)
    return parser


MO_USAGE = """\
any MXNet checkpoint, with the legacy mo flags (instead of --name/--all):
  ovzoo convert --input_model PREFIX-EPOCH.params [--input_symbol PREFIX-symbol.json]
      [--input NAME[,NAME...]] [--input_shape [N,C,H,W][,[...]]] [--batch N]
      [--mean_values [R,G,B]] [--scale_values [R,G,B]] [--scale S] [--reverse_input_channels]
      [--layout NCHW] [--output NODE[,NODE...]] [--output_dir DIR] [--model_name NAME]
      [--compress_to_fp16[=True|False]] [--data_type FP16|FP32] [--no_graph_rewrites]
      [--weights_in disk|memory]
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
    graph_rewrites = NO_GRAPH_REWRITES not in argv
    # one checkpoint at a time: speed first (the weights in memory) unless asked
    place, argv = pop_weights_in(argv)
    spec, target = parse_mo_command_line([a for a in argv if a != NO_GRAPH_REWRITES])
    xml = convert_checkpoint(spec, target, graph_rewrites, spill_weights=place == "disk")
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
        args.weights_in == "disk",
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
