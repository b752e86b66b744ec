"""Time every narrow grouped-convolution shape of an IR into the layer cost cache, with care (``ovzoo tune``).

A conversion times only a few untimed layer shapes (``measure_plan``) and leaves the layers of the
others as converted; this times all of an IR's shapes, ``repeats`` times each (the fastest figure per
merge factor kept), and replaces what the cache held for them, so that the next conversion decides
every layer from these figures. An IR whose groups were already merged is tuned for its layers as
converted (the groups its rt_info record gives), so the IR a conversion wrote can be passed as is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import openvino as ov

from ovzoo.optimize.cost_cache import CostCache, Machine
from ovzoo.optimize.group_merge import (
    choose_merge,
    conv_layer,
    find_candidates,
    merges_for,
    timed_precisions,
)
from ovzoo.optimize.int8_merge import int8_merges
from ovzoo.optimize.layer_timing import INT8, ConvLayer, time_merges
from ovzoo.optimize.record import read_merged_layers

log = logging.getLogger(__name__)

DEFAULT_REPEATS = 3


@dataclass(frozen=True)
class TunedShape:
    layer: ConvLayer
    layers: int  # how many layers of the IR have this shape
    ms: dict[str, dict[int, float]]  # precision -> merge factor -> fastest ms
    merge: int | None  # the factor a conversion picks from these figures (None: INT8 figures only)


def layers_as_converted(model: ov.Model) -> list[tuple[ConvLayer, tuple[int, ...]]]:
    """(layer shape, weight shape) of each grouped convolution as the front end wrote it, merged ones too."""
    record = read_merged_layers(model)
    found = []
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        name = node.get_friendly_name()
        if name in record and kind in ("Convolution", "GroupConvolution"):
            groups = record[name].groups
        elif kind == "GroupConvolution":
            groups = node.get_input_shape(1)[0]
        else:
            continue
        if node.input_value(0).get_partial_shape().is_dynamic:
            continue
        layer = conv_layer(node, groups)
        if layer is None:
            continue
        weight_shape = (
            groups,
            layer.out_channels // groups,
            layer.input_shape[1] // groups,
            *layer.kernel,
        )
        if len(merges_for(weight_shape)) > 1:
            found.append((layer, weight_shape))
    return found


def tune_layers(
    model: ov.Model, cache: CostCache, repeats: int = DEFAULT_REPEATS, int8: bool = False
) -> list[TunedShape]:
    """Time the IR's layer shapes (f32 and the default precision; also INT8 merges if ``int8``) into ``cache``."""
    core = ov.Core()
    asked = Machine.ask(core)
    machine, precisions = asked.key, timed_precisions(asked)
    plans: dict[str, tuple[ConvLayer, dict[str, tuple[int, ...]]]] = {}  # key -> layer, precision -> merges
    counts: dict[str, int] = {}
    for layer, weight_shape in layers_as_converted(model):
        counts[layer.key()] = counts.get(layer.key(), 0) + 1
        plans[layer.key()] = (layer, {p: merges_for(weight_shape) for p in precisions})
    if int8:  # ovzoo quantize decides on the IR as it is (merged at conversion or not)
        int8_counts: dict[str, int] = {}
        for candidate in find_candidates(model, int8_merges):
            key = candidate.layer.key()
            int8_counts[key] = int8_counts.get(key, 0) + 1
            _, wanted = plans.setdefault(key, (candidate.layer, {}))
            wanted.setdefault(precisions[-1], (1,))  # its float time at the default precision
            wanted[INT8] = int8_merges(candidate.weights.shape)[1:]
        counts = {**int8_counts, **counts}
    started = time.perf_counter()
    table: dict[str, dict[int, float]] = {}
    tuned = []
    for key, (layer, wanted) in plans.items():
        ms: dict[str, dict[int, float]] = {}
        for precision, merges in wanted.items():
            best = ms.setdefault(precision, {})
            for _ in range(repeats):
                for factor, figure in time_merges(core, layer, merges, precision).items():
                    best[factor] = min(best.get(factor, float("inf")), figure)
            cache_key = f"{machine} | {precision} | {key}"
            table[cache_key] = {**(cache.get(cache_key) or {}), **best}  # merges not timed here stay
        timed = {p: ms[p] for p in precisions if p in ms and 1 in ms[p] and len(ms[p]) > 1}
        merge = choose_merge(timed) if len(timed) == len(precisions) else None
        tuned.append(TunedShape(layer, counts[key], ms, merge))
    cache.put(table, replace=True)  # careful figures: they replace a conversion's quick ones
    log.info(
        "tuned %d layer shapes in %.1f s (%d repeats; kept in %s)",
        len(plans),
        time.perf_counter() - started,
        repeats,
        cache.path,
    )
    return tuned
