"""Pooling: max, avg and global, with MXNet's `valid` (floor) and `full` (ceil) output conventions."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops.conv import check_layout
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, Shape, data_shape, spatial
from ovzoo.mxnet.symbol import Node

_ROUNDING = {"valid": "floor", "full": "ceil"}  # opset8 "ceil" doesn't clip the last window, like MXNet


@dataclass(frozen=True)
class Pooling:
    """MXNet Pooling(data; kernel=(), pool_type='max', global_pool=False, pooling_convention='valid',
    stride=(1,...), pad=(0,...), count_include_pad=True, layout=None, p_value, cudnn_off).

    Global pooling ignores kernel, stride and pad (MXNet does too; upstream symbols still carry a
    kernel). `full` rounds the output size up without clipping the last window; `same` is refused.
    """

    pool_type: str
    global_pool: bool
    convention: str
    kernel: Shape  # empty for global pooling
    stride: Shape
    pad: Shape
    count_include_pad: bool


def parse_pooling(node: Node) -> Pooling:
    node.expect_inputs(1)
    pool_type = node.attr_str("pool_type", "max")
    node.check(pool_type in ("max", "avg"), f"pool_type {pool_type!r} is not supported (max, avg)")
    check_layout(node)
    count_include_pad = node.attr_bool("count_include_pad", True)
    if node.attr_bool("global_pool", False):
        return Pooling(pool_type, True, "valid", (), (), (), count_include_pad)
    convention = node.attr_str("pooling_convention", "valid")
    node.check(convention in _ROUNDING, f"pooling_convention {convention!r} is not supported (valid, full)")
    kernel = node.attr_tuple("kernel", ())
    if not kernel or any(k <= 0 for k in kernel):
        raise node.format_error(f"attribute 'kernel': expected positive sizes, got {kernel}")
    rank = len(kernel)
    stride = spatial(node, node.attr_tuple("stride", ()), "stride", 1, rank)
    pad = spatial(node, node.attr_tuple("pad", ()), "pad", 0, rank)
    if min(stride) <= 0 or min(pad) < 0:
        raise node.format_error(f"stride {stride}, pad {pad}: out of range")
    return Pooling(pool_type, False, convention, kernel, stride, pad, count_include_pad)


def _output_sizes(attrs: Pooling, spatial_in: Shape) -> Shape:
    rounding = math.floor if attrs.convention == "valid" else math.ceil
    return tuple(
        int(rounding((x + 2 * p - k) / s)) + 1
        for x, k, s, p in zip(spatial_in, attrs.kernel, attrs.stride, attrs.pad, strict=True)
    )


def infer_pooling(node: Node, attrs: Pooling, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if attrs.global_pool:
        return [(*data[:2], *(1,) * (len(data) - 2))], []
    if len(attrs.kernel) != len(data) - 2:
        raise node.format_error(f"kernel {attrs.kernel} doesn't fit input shape {data}")
    return [(*data[:2], *_output_sizes(attrs, data[2:]))], []


def translate_pooling(node: Node, attrs: Pooling, ctx: ConvertContext) -> list[ov.Output]:
    """Global pooling becomes ReduceMean/ReduceMax over the spatial axes (so the IR reshapes to any
    input size)."""
    data = ctx.input(node, 0)
    rank = len(ctx.input_shape(node, 0)) - 2
    if attrs.global_pool:
        axes = ctx.integers(list(range(2, rank + 2)), f"{node.name}/axes")
        reduce = opset8.reduce_max if attrs.pool_type == "max" else opset8.reduce_mean
        return [ctx.named(reduce(data, axes, keep_dims=True), node.name)]
    kernel, stride, pad = list(attrs.kernel), list(attrs.stride), list(attrs.pad)
    rounding = _ROUNDING[attrs.convention]
    if attrs.pool_type == "max":
        pool = opset8.max_pool(data, stride, [1] * rank, pad, pad, kernel, rounding)
    elif attrs.convention == "full" and attrs.count_include_pad:
        pool = _average_full_including_pad(node, ctx, data, attrs)
    else:
        pool = opset8.avg_pool(data, stride, pad, pad, kernel, not attrs.count_include_pad, rounding)
    return [ctx.named(pool, node.name)]


def _average_full_including_pad(node: Node, ctx: ConvertContext, data: ov.Output, attrs: Pooling) -> ov.Node:
    """Average pooling with MXNet's `full` + count_include_pad divisor.

    MXNet divides by the window clipped to the padded input: declared padding counts, the cells
    `full` adds past it don't. AvgPool's divisor for those cells differs between pads == 0 and
    pads > 0 (measured on OpenVINO 2026.4), so don't rely on it: pad explicitly with zeros (the
    overflow too), pool with no padding (divisor = kernel size, a plain sum / k), then multiply by
    a constant per-position factor k / MXNet's count.
    """
    sizes = ctx.input_shape(node, 0)[2:]
    kernel, stride, pad = list(attrs.kernel), list(attrs.stride), list(attrs.pad)
    rank = len(sizes)
    outputs = _output_sizes(attrs, sizes)
    overflow = [
        (o - 1) * s + k - (x + 2 * p)
        for o, x, k, s, p in zip(outputs, sizes, kernel, stride, pad, strict=True)
    ]
    if not any(overflow):  # `full` and `valid` agree here
        return opset8.avg_pool(data, stride, pad, pad, kernel, False, "floor")
    padded = opset8.pad(
        data, [0, 0, *pad], [0, 0, *(p + e for p, e in zip(pad, overflow, strict=True))], "constant"
    )
    ctx.named(padded, f"{node.name}/pad")
    pool = opset8.avg_pool(padded, stride, [0] * rank, [0] * rank, kernel, False, "floor")
    ctx.named(pool, f"{node.name}/average")
    factors = []
    for count, x, k, s, p in zip(outputs, sizes, kernel, stride, pad, strict=True):
        starts = np.arange(count) * s - p
        factors.append(k / (np.minimum(starts + k, x + p) - starts))
    correction = functools.reduce(np.multiply.outer, factors)
    return opset8.multiply(
        pool, ctx.constant(correction.reshape(1, 1, *correction.shape), f"{node.name}/divisor")
    )


POOLING = OpRecord(parse_pooling, infer_pooling, translate_pooling)


def parse_adaptive_avg_pooling(node: Node) -> tuple[int, int]:
    """MXNet _contrib_AdaptiveAvgPooling2D(data; output_size=()): (height, width); empty is 1x1,
    one value is square. Bin i of n over x cells spans [floor(i*x/n), ceil((i+1)*x/n)), as AdaptiveAvgPool-8.
    """
    node.expect_inputs(1)
    size = node.attr_tuple("output_size", ())
    if len(size) > 2 or any(s <= 0 for s in size):
        raise node.format_error(f"attribute 'output_size': expected one or two positive sizes, got {size}")
    if not size:
        return 1, 1
    return (size[0], size[0]) if len(size) == 1 else (size[0], size[1])


def infer_adaptive_avg_pooling(node: Node, size: tuple[int, int], shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) != 4:
        raise node.format_error(f"expected an NCHW input, got shape {data}")
    return [(*data[:2], *size)], []


def translate_adaptive_avg_pooling(node: Node, size: tuple[int, int], ctx: ConvertContext) -> list[ov.Output]:
    data = ctx.input(node, 0)
    if size == (1, 1):  # a global average: ReduceMean keeps the IR reshapeable to any input size
        pooled = opset8.reduce_mean(data, ctx.integers([2, 3], f"{node.name}/axes"), keep_dims=True)
    else:
        pooled = opset8.adaptive_avg_pool(data, ctx.integers(list(size), f"{node.name}/output_size"))
    return [ctx.named(pooled, node.name)]


ADAPTIVE_AVG_POOLING = OpRecord(
    parse_adaptive_avg_pooling, infer_adaptive_avg_pooling, translate_adaptive_avg_pooling
)
