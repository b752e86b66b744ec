"""Merge narrow groups (further) so that a layer gets the CPU plugin's INT8 kernel, when that runs faster.

ovzoo quantize keeps a grouped convolution in float when its groups are not a multiple of 4
channels (ovzoo.quantize.scope): the INT8 fallback kernel for them is slower than float. Merging
such a layer's groups block-diagonally (ovzoo.optimize.group_merge) to a multiple of 4 makes it
quantizable. Whether the merged INT8 layer beats the unmerged float one (at the default inference
precision, at which an INT8 IR's float layers run) is measured per layer shape and cached; the IR
read from disk may already carry merges from conversion, and this one merges on top of them.
"""

from __future__ import annotations

import logging

import openvino as ov

from ovzoo.optimize.cost_cache import CostCache, Machine
from ovzoo.optimize.group_merge import (
    MAX_MERGE,
    MAX_MERGED_WIDTH,
    MIN_GAIN,
    find_candidates,
    replace_with_merge,
)
from ovzoo.optimize.layer_timing import INT8, ConvLayer, time_merges
from ovzoo.optimize.record import MergedLayer, read_merged_layers, write_record

log = logging.getLogger(__name__)

INT8_CHANNEL_BLOCK = 4  # oneDNN's x8s8s32x kernels take 4 int8 channels per instruction


def int8_merges(weight_shape: tuple[int, ...]) -> tuple[int, ...]:
    """1 and the merges that make a narrow, non-depthwise layer's groups a multiple of 4 channels."""
    groups, out_per_group, in_per_group = weight_shape[:3]
    if out_per_group == in_per_group == 1 or not (
        out_per_group % INT8_CHANNEL_BLOCK or in_per_group % INT8_CHANNEL_BLOCK
    ):
        return (1,)  # depthwise or already INT8-friendly
    widest = max(out_per_group, in_per_group)
    return (1,) + tuple(
        m
        for m in range(2, min(groups, MAX_MERGE) + 1)
        if groups % m == 0
        and m * widest <= MAX_MERGED_WIDTH
        and (m * out_per_group) % INT8_CHANNEL_BLOCK == 0
        and (m * in_per_group) % INT8_CHANNEL_BLOCK == 0
    )


def merge_for_int8(model: ov.Model, cache: CostCache, measure: bool = True) -> list[MergedLayer]:
    """Merge in place the layers whose merged INT8 version measures faster than their float one.

    Returns the layers merged now (their record, which also replaces the conversion's in rt_info).
    """
    candidates = find_candidates(model, int8_merges)
    if not candidates:
        return []
    core = ov.Core()
    asked = Machine.ask(core)
    machine, default = asked.key, asked.default_precision
    # cache key -> (layer, merge factors, precision): the layer in float as it is, and merged in INT8
    wanted: dict[str, tuple[ConvLayer, tuple[int, ...], str]] = {}
    for candidate in candidates:
        layer = candidate.layer
        wanted[f"{machine} | {default} | {layer.key()}"] = (layer, (1,), default)
        wanted[f"{machine} | {INT8} | {layer.key()}"] = (
            layer,
            int8_merges(candidate.weights.shape)[1:],
            INT8,
        )
    missing = [key for key in wanted if cache.get(key) is None] if measure else []
    if missing:
        cache.put({key: time_merges(core, *wanted[key]) for key in missing})
        log.info("timed %d layer shapes for the INT8 group merge (kept in %s)", len(missing), cache.path)
    known = {
        key: found for key in wanted if (found := cache.get(key))
    }  # what other processes wrote first wins

    record = read_merged_layers(model)
    merged_now = []
    for candidate in candidates:
        floating = known.get(f"{machine} | {default} | {candidate.layer.key()}")
        quantized = known.get(f"{machine} | {INT8} | {candidate.layer.key()}")
        if not floating or not quantized or 1 not in floating:
            continue
        best = min(sorted(quantized), key=lambda m: quantized[m])
        if quantized[best] > (1 - MIN_GAIN) * floating[1]:
            continue
        replace_with_merge(candidate, best)
        name = candidate.node.get_friendly_name()
        before = record.get(name)
        entry = MergedLayer(
            layer=name,
            groups=before.groups if before else candidate.layer.groups,
            merged_groups=candidate.layer.groups // best,
            ms={**(before.ms if before else {}), INT8: (floating[1], quantized[best])},
        )
        record[name] = entry
        merged_now.append(entry)
    if merged_now:
        model.validate_nodes_and_infer_types()
        write_record(model, True, list(record.values()))
    return merged_now
