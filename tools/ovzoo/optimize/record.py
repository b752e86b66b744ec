"""What the graph rewrites did, as the IR's ``rt_info`` records it (written by the pass, read by the validator).

One entry, ``ovzoo/graph_rewrites/group_merge``, holds a JSON list with one object per rewritten
convolution: its friendly name, the groups it had and has, and the measured times that chose the
merge. Another, ``ovzoo/graph_rewrites/group_merge_pending``, lists the narrow grouped convolutions
left as converted because their shape was not timed yet (the conversion's measuring budget ran
out; ``ovzoo tune`` times them). ``ovzoo/graph_rewrites/se_as_conv`` lists the SE blocks' fully
connected layers (MatMul friendly names) that now run as 1x1 convolutions. The validator's cost check reads it back to count the original (card) parameters and
multiply-adds rather than the zeros a merged layer adds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import openvino as ov

RT_INFO_ROOT = ("ovzoo", "graph_rewrites")
_ENABLED_KEY = (*RT_INFO_ROOT, "enabled")
_GROUP_MERGE_KEY = (*RT_INFO_ROOT, "group_merge")
_PENDING_KEY = (*RT_INFO_ROOT, "group_merge_pending")
_SE_KEY = (*RT_INFO_ROOT, "se_as_conv")


@dataclass(frozen=True)
class MergedLayer:
    """One GroupConvolution whose groups were merged block-diagonally (``merge`` groups into one)."""

    layer: str  # friendly name, unchanged by the rewrite
    groups: int  # as converted
    merged_groups: int  # in the IR (1: a plain Convolution)
    # inference precision -> measured ms of the layer as converted and as merged
    ms: dict[str, tuple[float, float]]

    @property
    def merge(self) -> int:
        return self.groups // self.merged_groups


def write_record(
    model: ov.Model, enabled: bool, merged: list[MergedLayer], pending: list[str] | None = None
) -> None:
    """Record the pass; ``pending`` None keeps the list already in rt_info (a later pass merging on top)."""
    model.set_rt_info("true" if enabled else "false", list(_ENABLED_KEY))
    if enabled:
        model.set_rt_info(
            json.dumps([asdict(m) for m in merged], separators=(",", ":")), list(_GROUP_MERGE_KEY)
        )
        if pending is not None:
            model.set_rt_info(json.dumps(pending, separators=(",", ":")), list(_PENDING_KEY))


def write_se_record(model: ov.Model, lifted: list[str]) -> None:
    model.set_rt_info(json.dumps(lifted, separators=(",", ":")), list(_SE_KEY))


def read_se_layers(model: ov.Model) -> list[str]:
    """The SE fully connected layers run as 1x1 convolutions (empty: none, or no record)."""
    if not model.has_rt_info(list(_SE_KEY)):
        return []
    return list(json.loads(model.get_rt_info(list(_SE_KEY)).astype(str)))


def read_pending_layers(model: ov.Model) -> list[str]:
    """The narrow grouped convolutions the conversion left as they were, untimed (empty: none, or no record)."""
    if not model.has_rt_info(list(_PENDING_KEY)):
        return []
    return list(json.loads(model.get_rt_info(list(_PENDING_KEY)).astype(str)))


def read_merged_layers(model: ov.Model) -> dict[str, MergedLayer]:
    """Friendly name -> what was merged; empty for an IR without the record (or with the pass off)."""
    if not model.has_rt_info(list(_GROUP_MERGE_KEY)):
        return {}
    entries = json.loads(model.get_rt_info(list(_GROUP_MERGE_KEY)).astype(str))
    return {
        e["layer"]: MergedLayer(
            e["layer"], e["groups"], e["merged_groups"], {p: tuple(t) for p, t in e["ms"].items()}
        )
        for e in entries
    }
