"""Graph rewrites over a converted ``ov.Model`` that OpenVINO's own transformations do not make.

They keep the function the model computes and only change how the CPU plugin runs it; each
rewrite is kept only where it measures faster on this machine. Today: merging the narrow groups of
grouped convolutions (``group_merge``). What was rewritten, and why, goes into the IR's rt_info
(``record``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openvino as ov

from ovzoo.optimize.cost_cache import CostCache, default_cost_cache
from ovzoo.optimize.group_merge import merge_groups
from ovzoo.optimize.record import MergedLayer, write_record


@dataclass(frozen=True)
class RewriteOptions:
    enabled: bool = True
    measure: bool = True  # time layer shapes missing from the cache (else leave those layers alone)
    cost_cache: Path | None = None  # default: the user cache dir (cost_cache.default_cost_cache)


def rewrite_graph(model: ov.Model, options: RewriteOptions = RewriteOptions()) -> list[MergedLayer]:
    """Apply the rewrites to ``model`` in place and record them in its rt_info; return the merged layers."""
    merged = []
    if options.enabled:
        cache = CostCache(options.cost_cache or default_cost_cache())
        merged = merge_groups(model, cache, options.measure)
        if merged:
            model.validate_nodes_and_infer_types()
    write_record(model, options.enabled, merged)
    return merged
