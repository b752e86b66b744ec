"""Build (or rebuild) the layer cost table the group-merge rewrite decides on, with more care than a conversion takes.

A conversion times each grouped-convolution shape once (about 0.3 s per shape and precision) and
caches it. On a loaded machine that figure can be unlucky; this script times every shape of an IR
``--repeats`` times (the fastest of all repeats is kept, per merge factor), writes the entries into
the same cache (``$OVZOO_CACHE_DIR/layer-costs/v1.json`` or the user cache; ``--cache FILE`` for
another), and prints the table: shape, precision, ms per merge factor, and the merge chosen.
Convert again afterwards to use it.

    .venv/bin/python benchmarks/group_merge_costs.py IR.xml [--repeats 5] [--int8] [--cache FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path, help="an IR converted with --no_graph_rewrites (or any IR)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--int8", action="store_true", help="also time INT8 merges (ovzoo quantize's choice)")
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args(argv)

    import openvino as ov

    from ovzoo.optimize.cost_cache import CostCache, default_cost_cache, machine_key
    from ovzoo.optimize.group_merge import choose_merge, find_candidates, inference_precisions, merges_for
    from ovzoo.optimize.int8_merge import int8_merges
    from ovzoo.optimize.layer_timing import INT8, time_merges

    core = ov.Core()
    model = core.read_model(args.xml)
    cache = CostCache(args.cache or default_cost_cache())
    machine = machine_key(core)
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    plans = []  # (precision, layer, merge factors to time)
    for candidate in find_candidates(model):
        for precision in inference_precisions(core):
            plans.append((precision, candidate.layer, merges_for(candidate.weights.shape)))
    if args.int8:
        for candidate in find_candidates(model, int8_merges):
            plans.append((default, candidate.layer, (1,)))
            plans.append((INT8, candidate.layer, int8_merges(candidate.weights.shape)[1:]))
    table: dict[str, dict[int, float]] = {}
    for precision, layer, merges in plans:
        key = f"{machine} | {precision} | {layer.key()}"
        if key in table and set(merges) <= set(table[key]):
            continue
        best = table.get(key, {})
        for _ in range(args.repeats):
            for merge, ms in time_merges(core, layer, merges, precision).items():
                best[merge] = min(best.get(merge, float("inf")), ms)
        table[key] = best
    cache.put(table, replace=True)  # these figures are the careful ones
    print(
        f"{machine}; {args.repeats} repeats, fastest kept; load average {os.getloadavg()[0]:.2f}; cache {cache.path}"
    )
    for key, costs in sorted(table.items()):
        precision, shape = key.split(" | ")[-2:]
        cells = "  ".join(f"x{m}: {ms:.3f}" for m, ms in sorted(costs.items()))
        print(f"  {precision:5s} {shape:55s} {cells}")
    merged = {}
    for candidate in find_candidates(model):
        costs = {p: table[f"{machine} | {p} | {candidate.layer.key()}"] for p in inference_precisions(core)}
        merged[candidate.layer.key()] = choose_merge(costs)
    print("chosen merge per shape (f32 and default precision together):")
    for shape, merge in merged.items():
        print(f"  {shape:55s} x{merge}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
