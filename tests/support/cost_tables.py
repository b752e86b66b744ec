"""Layer cost tables for ovzoo.optimize, written into its cache file so that a test decides which merges happen."""

from __future__ import annotations

import json
from pathlib import Path

import openvino as ov

from ovzoo.optimize.cost_cache import Machine
from ovzoo.optimize.group_merge import cost_keys, find_candidates, merges_for


def write_cost_table(model: ov.Model, path: Path, favour: int | None) -> None:
    """Layer times that make merge factor ``favour`` the fastest for every layer (None: merging always loses)."""
    candidates = find_candidates(model)
    table = {}
    for (i, _precision), key in cost_keys(candidates, Machine.ask(ov.Core())).items():
        merges = merges_for(candidates[i].weights.shape)
        best = favour if favour in merges else None
        table[key] = {str(m): (0.5 if m == best else 1.0 + 0.1 * m) for m in merges}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table))
