"""``ovzoo tune IR.xml...``: time an IR's narrow grouped-convolution shapes into the layer cost cache.

A conversion times only a few layer shapes it has no figures for (its measuring budget) and leaves
the other narrow layers as converted, listed in the IR's rt_info; this times all of them, with more
care, so that the next ``ovzoo convert`` of that model (or any model with those shapes) decides every
layer from cached figures, at no measuring cost.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ovzoo.cli.common import command_parser, positive_int
from ovzoo.errors import OvzooError


def build_parser() -> argparse.ArgumentParser:
    from ovzoo.optimize.tune import DEFAULT_REPEATS  # noqa: PLC0415  (OpenVINO only when run)

    parser = command_parser(
        prog="ovzoo tune",
        description="Time every narrow grouped-convolution shape of IRs (as ovzoo convert wrote them, "
        "with or without graph rewrites) into the layer cost cache the graph rewrites decide on.",
    )
    parser.add_argument("xml", nargs="+", type=Path, help="IR .xml files")
    parser.add_argument(
        "--repeats",
        type=positive_int,
        default=DEFAULT_REPEATS,
        help=f"timings per shape, fastest kept (default {DEFAULT_REPEATS})",
    )
    parser.add_argument(
        "--int8", action="store_true", help="also time the INT8 merges ovzoo quantize decides on"
    )
    parser.add_argument(
        "--dry_run", action="store_true", help="list the layer shapes that would be timed; time nothing"
    )
    parser.add_argument(
        "--cost_cache",
        type=Path,
        default=None,
        help="the cache file (default: $OVZOO_CACHE_DIR/layer-costs/v1.json, else ~/.cache/ovzoo/...)",
    )
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    import openvino as ov  # noqa: PLC0415

    from ovzoo.ir.reading import IrReadError, read_ir  # noqa: PLC0415
    from ovzoo.optimize.cost_cache import CostCache, default_cost_cache  # noqa: PLC0415
    from ovzoo.optimize.tune import layers_as_converted, tune_layers  # noqa: PLC0415

    cache = CostCache(args.cost_cache or default_cost_cache())
    core = ov.Core()
    for xml in args.xml:
        try:
            model = read_ir(core, xml)
        except IrReadError as e:
            raise OvzooError(str(e), (str(xml),)) from None
        if args.dry_run:
            shapes = sorted({layer.key() for layer, _ in layers_as_converted(model)})
            print(
                f"{xml}: would time {len(shapes)} layer shapes (and INT8 merges: {args.int8}), cache {cache.path}"
            )
            print("".join(f"  {shape}\n" for shape in shapes), end="")
            continue
        tuned = tune_layers(model, cache, args.repeats, args.int8)
        print(
            f"{xml}: {len(tuned)} layer shapes timed ({sum(t.layers for t in tuned)} layers), cache {cache.path}"
        )
        for shape in tuned:
            choice = "INT8 only" if shape.merge is None else f"merge x{shape.merge}"
            print(f"  {shape.layer.key()}  ({shape.layers} layers): {choice}")
            for precision, ms in shape.ms.items():
                cells = "  ".join(f"x{m} {t:.3f}" for m, t in sorted(ms.items()))
                print(f"    {precision:5s} ms {cells}")
    return 0
