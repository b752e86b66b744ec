"""Pooling: max, avg and global, with MXNet's `valid` (floor) and `full` (ceil) output conventions."""

from __future__ import annotations

import functools
import math

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node

_ROUNDING = {"valid": "floor", "full": "ceil"}  # opset8 "ceil" doesn't clip the last window, like MXNet


def translate_pooling(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Pooling(data; kernel=(), pool_type='max', global_pool=False, pooling_convention='valid',
    stride=(1,...), pad=(0,...), count_include_pad=True, layout=None, p_value, cudnn_off).

    Global pooling becomes ReduceMean/ReduceMax over the spatial axes (so the IR reshapes to any
    input size); `full` rounds the output size up without clipping the last window.
    """
    node.expect_inputs(1)
    pool_type = node.attr_str("pool_type", "max")
    node.check(pool_type in ("max", "avg"), f"pool_type {pool_type!r} is not supported (max, avg)")
    node.check(
        node.attr_str("layout", "None") in ("None", "NCW", "NCHW", "NCDHW"),
        f"layout {node.attr_str('layout', 'None')!r} is not supported (channel-first only)",
    )
    data = ctx.input(node, 0)
    rank = len(ctx.input_shape(node, 0)) - 2
    if node.attr_bool("global_pool", False):
        axes = ctx.integers(list(range(2, rank + 2)), f"{node.name}/axes")
        reduce = opset8.reduce_max if pool_type == "max" else opset8.reduce_mean
        return [ctx.named(reduce(data, axes, keep_dims=True), node.name)]
    convention = node.attr_str("pooling_convention", "valid")
    node.check(convention in _ROUNDING, f"pooling_convention {convention!r} is not supported (valid, full)")
    kernel = list(node.attr_tuple("kernel", ()))
    stride = list(node.attr_tuple("stride", ())) or [1] * rank
    pad = list(node.attr_tuple("pad", ())) or [0] * rank
    node.check(
        len(kernel) == len(stride) == len(pad) == rank,
        f"kernel {kernel}, stride {stride}, pad {pad} don't fit a {rank}-d input",
    )
    if pool_type == "max":
        pool = opset8.max_pool(data, stride, [1] * rank, pad, pad, kernel, _ROUNDING[convention])
    elif convention == "full" and node.attr_bool("count_include_pad", True):
        pool = _average_full_including_pad(node, ctx, data, kernel, stride, pad)
    else:
        exclude_pad = not node.attr_bool("count_include_pad", True)
        pool = opset8.avg_pool(data, stride, pad, pad, kernel, exclude_pad, _ROUNDING[convention])
    return [ctx.named(pool, node.name)]


def _average_full_including_pad(
    node: Node, ctx: ConvertContext, data: ov.Output, kernel: list[int], stride: list[int], pad: list[int]
) -> ov.Node:
    """Average pooling with MXNet's `full` + count_include_pad divisor.

    MXNet divides by the window clipped to the padded input: declared padding counts, the cells
    `full` adds past it don't. AvgPool's divisor for those cells differs between pads == 0 and
    pads > 0 (measured on OpenVINO 2026.4), so don't rely on it: pad explicitly with zeros (the
    overflow too), pool with no padding (divisor = kernel size, a plain sum / k), then multiply by
    a constant per-position factor k / MXNet's count.
    """
    spatial = ctx.input_shape(node, 0)[2:]
    rank = len(spatial)
    outputs = [
        math.ceil((x + 2 * p - k) / s) + 1 for x, k, s, p in zip(spatial, kernel, stride, pad, strict=True)
    ]
    overflow = [
        (o - 1) * s + k - (x + 2 * p)
        for o, x, k, s, p in zip(outputs, spatial, kernel, stride, pad, strict=True)
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
    for count, x, k, s, p in zip(outputs, spatial, kernel, stride, pad, strict=True):
        starts = np.arange(count) * s - p
        factors.append(k / (np.minimum(starts + k, x + p) - starts))
    correction = functools.reduce(np.multiply.outer, factors)
    return opset8.multiply(
        pool, ctx.constant(correction.reshape(1, 1, *correction.shape), f"{node.name}/divisor")
    )
