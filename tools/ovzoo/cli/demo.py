"""``ovzoo demo`` (``make demo``): the offline end-to-end job on a synthetic OctConv model (default octave-resnext-50-0.25)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ovzoo.cli.common import add_dry_run, command_parser, positive_float
from ovzoo.demo import DEMO_MODEL, DemoOptions, run_demo
from ovzoo.zoo.octave import PUBLIC_MODELS


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo demo",
        description="Synthesise a checkpoint of an OctConv model, serve it from 127.0.0.1, download, convert, "
        "validate against MXNet, benchmark, and write a Markdown report. Offline; a second run reuses the cache.",
    )
    parser.add_argument(
        "--name",
        default=DEMO_MODEL,
        choices=PUBLIC_MODELS,
        metavar="MODEL",
        help=f"the family member to run (default {DEMO_MODEL}; one of: {', '.join(PUBLIC_MODELS)})",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("demo-out"),
        metavar="DIR",
        help="where everything goes (default demo-out)",
    )
    parser.add_argument(
        "--seconds", type=positive_float, default=3.0, help="duration of each benchmark run (default 3)"
    )
    parser.add_argument("--no_int8", dest="quantize", action="store_false", help="skip INT8 quantization")
    add_dry_run(parser, "print the stages and where their files would go; run and write nothing")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.dry_run:
        print(
            f"would synthesise {args.name}, serve it from 127.0.0.1, download, convert FP32 and FP16"
            + ("" if not args.quantize else ", quantize FP16-INT8")
            + ", validate, benchmark"
        )
        print(f"would write under {args.output}: mirror/{args.name}/, download/, ir/, benchmark/, report.md")
        return 0
    options = DemoOptions(
        output_dir=args.output, seconds=args.seconds, model_name=args.name, quantize=args.quantize
    )
    result = run_demo(options)
    print(f"report: {result.report_md}")
    for name, seconds in result.stage_seconds.items():
        print(f"  {name:<10} {seconds:7.1f} s", file=sys.stderr)
    if result.validation is not None and not result.validation.passed:
        for check in result.validation.failed:
            print(f"ovzoo demo: FAILED {check.precision} {check.name}: {check.detail}", file=sys.stderr)
    return 0 if result.ok else 1
