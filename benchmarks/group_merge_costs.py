"""Build (or rebuild) the layer cost table the group-merge rewrite decides on, and print it.

The same measuring as ``ovzoo tune`` (ovzoo.optimize.tune): every narrow grouped-convolution shape
of an IR timed ``--repeats`` times (fastest kept, per merge factor), written into the cache
(``$OVZOO_CACHE_DIR/layer-costs/v1.json`` or the user cache; ``--cache FILE`` for another), then a
table: shape, layers of that shape, precision, ms per merge factor, and the merge a conversion picks.
Convert again afterwards to use it.

    .venv/bin/python benchmarks/group_merge_costs.py IR.xml [--repeats 5] [--int8] [--cache FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path, help="an IR ovzoo convert wrote (rewritten or not)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--int8", action="store_true", help="also time INT8 merges (ovzoo quantize's choice)")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)

    import openvino as ov

    from ovzoo.optimize.cost_cache import CostCache, default_cost_cache, machine_key
    from ovzoo.optimize.tune import tune_layers

    core = ov.Core()
    cache = CostCache(args.cache or default_cost_cache())
    started = time.perf_counter()
    tuned = tune_layers(core.read_model(args.xml), cache, args.repeats, args.int8)
    print(
        f"{machine_key(core)}; {args.repeats} repeats, fastest kept; {time.perf_counter() - started:.1f} s; "
        f"load average {os.getloadavg()[0]:.2f}; cache {cache.path}"
    )
    for shape in tuned:
        choice = "-" if shape.merge is None else f"x{shape.merge}"
        for precision, ms in shape.ms.items():
            cells = "  ".join(f"x{m}: {t:.3f}" for m, t in sorted(ms.items()))
            print(f"  {shape.layer.key():55s} n={shape.layers:<2d} {precision:5s} {cells}  -> {choice}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
