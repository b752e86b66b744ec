"""Which grouped-convolution shapes a conversion times now, and which wait: a bounded measuring cost.

Timing one layer shape costs about 0.2-0.3 s per inference precision (compiling a few one-layer
models and running them interleaved). A conversion times at most ``MEASURE_SHAPES`` of the shapes
it finds no figures for in the cost cache, those where a merge can save the most first; layers of
the other shapes stay as converted and are listed in the IR's rt_info until ``ovzoo tune`` (or a
later conversion, a few shapes at a time) has timed them. Which shapes are timed depends only on
the model and the cache's contents, never on the clock, so the IR follows from the cache state a
conversion starts with (and the figures it measures).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ovzoo.optimize.layer_timing import ConvLayer

MEASURE_SHAPES = 4  # per conversion: about 0.5 s each (f32 and the default precision)
SIMD_CHANNELS = 16  # f32 lanes of an AVX-512 vector; the merge heuristics in group_merge use it too


@dataclass(frozen=True)
class ShapeToTime:
    key: str  # ConvLayer.key()
    layer: ConvLayer
    merges: tuple[int, ...]
    layers: int  # how many layers of the model have this shape


@dataclass(frozen=True)
class MeasurePlan:
    now: tuple[ShapeToTime, ...]
    later: tuple[ShapeToTime, ...]


def expected_weight(shape: ShapeToTime, weight_shape: Sequence[int]) -> float:
    """A stand-in for the time the shape's layers take in the model, to rank shapes without timing them.

    Multiply-adds over the narrower channel count per group (capped at SIMD_CHANNELS): the CPU
    plugin's narrow-group kernels run at roughly that many multiply-adds per vector instruction
    (measured: 3, 6 and 12 channels per group at equal multiply-adds took 1 : 0.55 : 0.28).
    """
    groups, out_per_group, in_per_group, *kernel = weight_shape
    _, _, height, width = shape.layer.input_shape
    strides = math.prod(shape.layer.strides)
    macs = groups * out_per_group * in_per_group * math.prod(kernel) * height * width / strides
    return shape.layers * macs / min(out_per_group, in_per_group, SIMD_CHANNELS)


def plan_measurements(
    unknown: Sequence[tuple[ShapeToTime, Sequence[int]]], budget: int | None = MEASURE_SHAPES
) -> MeasurePlan:
    """Split the shapes without cached figures ((shape, weight shape) pairs) into now and later.

    Heaviest first by :func:`expected_weight`, ties by key, so the split is deterministic;
    ``budget`` None times them all.
    """
    ranked = sorted(unknown, key=lambda sw: (-expected_weight(*sw), sw[0].key))
    shapes = tuple(shape for shape, _ in ranked)
    cut = len(shapes) if budget is None else max(budget, 0)
    return MeasurePlan(now=shapes[:cut], later=shapes[cut:])
