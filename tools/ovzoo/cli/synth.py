"""``ovzoo synth``: write a synthetic checkpoint archive with the exact upstream layout."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ovzoo.catalog.loader import load_models
from ovzoo.cli.common import add_dry_run, command_parser
from ovzoo.errors import ModelSelectionError
from ovzoo.zoo.octave import OCTAVE_FAMILY
from ovzoo.zoo.synth import measure_separation, octave_spec, write_archive, write_descriptor_overlay
from ovzoo.zoo.weights import synthesize_weights


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo synth",
        description="Build a checkpoint archive with the upstream architecture, names, shapes and "
        "archive size, and well-conditioned synthetic weights (the same seed gives the same bytes).",
    )
    parser.add_argument("--name", required=True, choices=sorted(OCTAVE_FAMILY), help="model to build")
    parser.add_argument("-o", "--output_dir", type=Path, required=True, help="folder for the archive")
    parser.add_argument("--seed", type=int, default=0, help="weight seed (default 0)")
    parser.add_argument(
        "--descriptor_out",
        type=Path,
        metavar="FILE",
        help="also write a model.yml for the synthetic archive (files[0] replaced)",
    )
    parser.add_argument(
        "--source",
        metavar="URL",
        help="source URL written into the descriptor (default: the archive's file:// URL)",
    )
    parser.add_argument("--models_dir", type=Path, metavar="DIR", help="catalog root for --descriptor_out")
    parser.add_argument(
        "--check_images",
        type=int,
        default=32,
        metavar="N",
        help="image-like inputs to measure top-1 margins on with MXNet (0 skips; default 32)",
    )
    add_dry_run(parser, "print the archive (and descriptor) that would be written; build and write nothing")
    return parser


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.source and not args.descriptor_out:
        parser.error("--source needs --descriptor_out")

    model = None
    if args.descriptor_out:  # look the model up first: fail before minutes of work
        matches = [m for m in load_models(args.models_dir) if m.name == args.name]
        if not matches:
            raise ModelSelectionError(
                f"{args.name!r} is not in the catalog; --descriptor_out needs its model.yml"
            )
        model = matches[0]

    spec = octave_spec(args.name)
    if args.dry_run:
        print(f"would write {Path(args.output_dir) / spec.archive}")
        if args.descriptor_out:
            print(f"would write {args.descriptor_out}")
        return 0
    start = time.perf_counter()
    arrays = synthesize_weights(spec, args.seed)
    archive = write_archive(spec, arrays, args.output_dir)
    elapsed = time.perf_counter() - start
    print(f"archive: {archive.path}")
    print(f"size:    {archive.size}")
    print(f"sha384:  {archive.sha384}")
    print(f"seconds: {elapsed:.1f}")
    if model is not None:
        write_descriptor_overlay(
            model, archive, args.source or archive.path.resolve().as_uri(), args.descriptor_out
        )
        print(f"descriptor: {args.descriptor_out}")
    if args.check_images > 0:
        sep = measure_separation(spec, arrays, images=args.check_images)
        print(
            f"top-1 margin over {sep.images} image-like inputs: min {sep.min_margin:.3f}, "
            f"median {sep.median_margin:.3f}; distinct top-1 classes: {sep.distinct_top1}"
        )
    return 0
