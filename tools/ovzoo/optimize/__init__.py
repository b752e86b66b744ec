"""Graph rewrites over a converted ``ov.Model`` that OpenVINO's own transformations do not make.

They keep the function the model computes and only change how the CPU plugin runs it; each
rewrite is kept only where it measures faster. Today: merging the narrow groups of grouped
convolutions (``group_merge``, decided per layer shape from times measured on this machine), and
squeeze-and-excitation blocks' fully connected layers run as 1x1 convolutions on the pooled 4-D
tensor (``se_blocks``, measured faster on the whole model). What was rewritten, and why, goes into
the IR's rt_info (``record``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openvino as ov

from ovzoo.optimize.cost_cache import CostCache, default_cost_cache
from ovzoo.optimize.group_merge import GroupMergeResult, merge_groups
from ovzoo.optimize.measure_plan import MEASURE_SHAPES
from ovzoo.optimize.record import MergedLayer, write_record, write_se_record
from ovzoo.optimize.se_blocks import lift_se_blocks


@dataclass(frozen=True)
class RewriteOptions:
    enabled: bool = True
    # layer shapes missing from the cache timed now (0: none, None: all); layers of the others stay as they are
    measure_shapes: int | None = MEASURE_SHAPES
    cost_cache: Path | None = None  # default: the user cache dir (cost_cache.default_cost_cache)


def rewrite_graph(model: ov.Model, options: RewriteOptions = RewriteOptions()) -> list[MergedLayer]:
    """Apply the rewrites to ``model`` in place and record them in its rt_info; return the merged layers."""
    result = GroupMergeResult()
    if options.enabled:
        lifted = lift_se_blocks(model)
        cache = CostCache(options.cost_cache or default_cost_cache())
        result = merge_groups(model, cache, options.measure_shapes)
        if result.merged or lifted:
            model.validate_nodes_and_infer_types()
        write_se_record(model, lifted)
    write_record(model, options.enabled, result.merged, result.pending)
    return result.merged
