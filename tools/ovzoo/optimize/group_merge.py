"""Merge the groups of a GroupConvolution into fewer, wider groups when that runs faster.

``merge`` neighbouring groups become one group whose weights are block-diagonal: group ``j*merge+a``
keeps its own weights in block ``a`` of merged group ``j``, and the blocks off the diagonal are
zeros. Channel order is unchanged and every output is the same sum of the same products plus
exact zeros, so the layer computes the same function (in real arithmetic; in floating point only
the summation order may differ). It does ``merge`` times the multiply-adds, but the CPU plugin's
kernels for narrow groups (2-6 channels) are so much slower per multiply-add than its kernels for
wider ones that the merged layer can win; whether it does is measured, per layer shape, on the
machine (``layer_timing``) and cached (``cost_cache``), a few shapes per conversion
(``measure_plan``). Layers whose groups are 16 channels or wider on both sides are left alone
without timing them: they already fill the vector registers, and no merge of them measured faster.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.ir import spill
from ovzoo.optimize.cost_cache import CostCache, Machine, this_machine
from ovzoo.optimize.layer_timing import ConvLayer, merged_convolution, time_merges, ungrouped
from ovzoo.optimize.measure_plan import MEASURE_SHAPES, SIMD_CHANNELS, ShapeToTime, plan_measurements
from ovzoo.optimize.record import MergedLayer

log = logging.getLogger(__name__)

MAX_MERGED_WIDTH = 64  # channels per merged group; wider merges only add multiply-adds
MAX_MERGE = 8  # at most this many times the multiply-adds (x16 never measured fastest)
MIN_GAIN = 0.05  # a merge must be this much faster than the original (more than the timing noise)


@dataclass(frozen=True)
class Candidate:
    node: ov.Node
    layer: ConvLayer
    weights: np.ndarray  # (g, O/g, I/g, k...), f32
    compressed: bool = False  # stored as f16 Constant -> Convert (an FP16 IR)


def constant_weights(node: ov.Node) -> tuple[np.ndarray, bool] | None:
    """The convolution's weights as f32 and whether they are stored as f16, or None if not a plain constant."""
    source = node.input_value(1).get_node()
    if source.get_type_name() == "Convert" and source.input_value(0).get_node().get_type_name() == "Constant":
        data = source.input_value(0).get_node().get_data()
        return (data.astype(np.float32), True) if data.dtype == np.float16 else None
    if source.get_type_name() == "Constant" and source.get_output_element_type(0) == ov.Type.f32:
        return source.get_data(), False
    return None


def find_candidates(
    model: ov.Model, merges: Callable[[tuple[int, ...]], tuple[int, ...]] | None = None
) -> list[Candidate]:
    """GroupConvolutions with constant f32 (or f16-stored) weights and static shapes that ``merges`` finds
    at least one merge for (default: :func:`merges_for`)."""
    merges = merges or merges_for
    found = []
    for node in model.get_ordered_ops():
        if node.get_type_name() != "GroupConvolution" or node.input_value(0).get_partial_shape().is_dynamic:
            continue
        stored = constant_weights(node)
        if stored is None:
            continue
        weights, compressed = stored
        if len(merges(weights.shape)) < 2:
            continue
        layer = conv_layer(node, weights.shape[0])
        if layer is not None:
            found.append(Candidate(node, layer, weights, compressed))
    return found


def conv_layer(node: ov.Node, groups: int) -> ConvLayer | None:
    """The (Group)Convolution ``node`` as a layer shape of ``groups`` groups (None: auto_pad, not timed)."""
    attrs = node.get_attributes()
    if attrs.get("auto_pad", "explicit") not in ("explicit", "notset"):
        return None
    input_shape = tuple(node.input_value(0).get_shape())
    return ConvLayer(
        input_shape=input_shape,
        out_channels=node.get_output_shape(0)[1],
        kernel=tuple(node.get_input_shape(1))[-(len(input_shape) - 2) :],
        groups=groups,
        strides=tuple(attrs["strides"]),
        pads_begin=tuple(attrs["pads_begin"]),
        pads_end=tuple(attrs["pads_end"]),
        dilations=tuple(attrs["dilations"]),
    )


def merges_for(weight_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Merge factors worth timing: divisors of the group count within the width and cost caps (1 first)."""
    groups, out_per_group, in_per_group = weight_shape[:3]
    if out_per_group == in_per_group == 1:
        return (1,)  # depthwise: its own fast kernels
    if min(out_per_group, in_per_group) >= SIMD_CHANNELS:
        return (1,)  # wide enough already
    widest = max(out_per_group, in_per_group)
    return tuple(
        m
        for m in range(1, min(groups, MAX_MERGE) + 1)
        if groups % m == 0 and (m == 1 or m * widest <= MAX_MERGED_WIDTH)
    )


def block_diagonal(weights: np.ndarray, merge: int) -> np.ndarray:
    """(g, O/g, I/g, k...) -> (g/merge, merge*O/g, merge*I/g, k...), the merged groups' weights."""
    groups, out_per_group, in_per_group = weights.shape[:3]
    merged = np.zeros(
        (groups // merge, merge * out_per_group, merge * in_per_group, *weights.shape[3:]), weights.dtype
    )
    for g in range(groups):
        j, a = divmod(g, merge)
        merged[j, a * out_per_group : (a + 1) * out_per_group, a * in_per_group : (a + 1) * in_per_group] = (
            weights[g]
        )
    return merged


def choose_merge(costs: dict[str, dict[int, float]]) -> int:
    """The merge factor with the lowest geometric mean of time ratios over the precisions timed.

    The original (1) stays unless the best merge is at least MIN_GAIN faster by that mean.
    """
    merges = sorted(set.intersection(*(set(c) for c in costs.values())))
    ratio = {m: math.prod(c[m] / c[1] for c in costs.values()) ** (1 / len(costs)) for m in merges}
    best = min(merges, key=lambda m: ratio[m])
    return best if ratio[best] <= 1 - MIN_GAIN else 1


def timed_precisions(machine: Machine) -> tuple[str, ...]:
    """f32 (what numerics are checked at) and the CPU's default inference precision, when it differs."""
    return tuple(dict.fromkeys(("f32", machine.default_precision)))


def cost_keys(candidates: list[Candidate], machine: Machine) -> dict[tuple[int, str], str]:
    """(candidate index, precision) -> its cost cache key (one per layer shape, machine and precision)."""
    return {
        (i, precision): f"{machine.key} | {precision} | {candidate.layer.key()}"
        for i, candidate in enumerate(candidates)
        for precision in timed_precisions(machine)
    }


@dataclass(frozen=True)
class GroupMergeResult:
    merged: list[MergedLayer] = field(default_factory=list)  # in graph order
    pending: list[str] = field(default_factory=list)  # layers left as converted: their shape is not timed yet


def merge_groups(
    model: ov.Model, cache: CostCache, measure_shapes: int | None = MEASURE_SHAPES
) -> GroupMergeResult:
    """Rewrite ``model`` in place; return what was merged and what waits for its shape to be timed.

    At most ``measure_shapes`` layer shapes without cached times are timed now (and cached), the
    heaviest first (``measure_plan``; None: all of them); layers of the others stay as they are.
    """
    candidates = find_candidates(model)
    if not candidates:
        return GroupMergeResult()
    machine = this_machine(cache.path)
    keys = cost_keys(candidates, machine)
    precisions = timed_precisions(machine)
    known = {key: found for key in set(keys.values()) if (found := cache.get(key)) and 1 in found}
    shapes: dict[str, list[int]] = {}  # layer shape -> its candidates
    for i, candidate in enumerate(candidates):
        shapes.setdefault(candidate.layer.key(), []).append(i)
    unknown = [
        (
            ShapeToTime(
                shape, candidates[ids[0]].layer, merges_for(candidates[ids[0]].weights.shape), len(ids)
            ),
            candidates[ids[0]].weights.shape,
        )
        for shape, ids in shapes.items()
        if any(keys[ids[0], p] not in known for p in precisions)
    ]
    plan = plan_measurements(unknown, measure_shapes)
    if plan.now:
        core = ov.Core()  # only to time: the CPU plugin costs about 8 MB of the conversion's peak
        started = time.perf_counter()
        measured = {}
        for shape in plan.now:
            for precision in precisions:
                key = keys[shapes[shape.key][0], precision]
                if key not in known:
                    measured[key] = time_merges(core, shape.layer, shape.merges, precision)
                    log.debug("timed %s at %s: %s", shape.key, precision, measured[key])
        cache.put(measured)
        known.update({key: found for key in measured if (found := cache.get(key))})  # first writer wins
        log.info(
            "group merge: timed %d of %d untimed layer shapes in %.1f s (kept in %s)",
            len(plan.now),
            len(unknown),
            time.perf_counter() - started,
            cache.path,
        )
    result = GroupMergeResult()
    for i, candidate in enumerate(candidates):
        costs = {p: known[keys[i, p]] for p in precisions if keys[i, p] in known}
        if len(costs) < len(precisions):
            result.pending.append(candidate.node.get_friendly_name())
            continue
        merge = choose_merge(costs)
        if merge == 1:
            continue
        replace_with_merge(candidate, merge)
        result.merged.append(
            MergedLayer(
                layer=candidate.node.get_friendly_name(),
                groups=candidate.layer.groups,
                merged_groups=candidate.layer.groups // merge,
                ms={p: (c[1], c[merge]) for p, c in costs.items()},
            )
        )
    log.info(
        "group merge: %d narrow grouped convolutions, %d merged, %d kept as they are, %d waiting for their "
        "shape to be timed%s",
        len(candidates),
        len(result.merged),
        len(candidates) - len(result.merged) - len(result.pending),
        len(result.pending),
        f" ({len(plan.later)} shapes; 'ovzoo tune IR.xml' times them, then convert again)"
        if plan.later
        else "",
    )
    return result


def replace_with_merge(candidate: Candidate, merge: int) -> None:
    """Put the merged layer in the candidate's place (same friendly name, tensor names and weight storage)."""
    old = candidate.node
    merged = ungrouped(block_diagonal(candidate.weights, merge))
    source = old.input_value(1).get_node()
    if candidate.compressed:  # an FP16 IR: f16 Constant -> Convert, as OpenVINO's compression leaves it
        weights = opset8.convert(spill.weight_constant(merged.astype(np.float16)), ov.Type.f32)
        weights.input_value(0).get_node().set_friendly_name(
            source.input_value(0).get_node().get_friendly_name()
        )
    else:
        weights = spill.weight_constant(merged)
    weights.set_friendly_name(source.get_friendly_name())
    new = merged_convolution(old.input_value(0), weights.output(0), candidate.layer)
    new.set_friendly_name(old.get_friendly_name())
    new.output(0).get_tensor().set_names(old.output(0).get_names())
    for target in old.output(0).get_target_inputs():
        target.replace_source_output(new.output(0))
