"""Pooling: max, avg and global, with MXNet's `valid` (floor) and `full` (ceil) output conventions."""

from __future__ import annotations

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
    node.check(node.attr_str("layout", "None") in ("None", "NCW", "NCHW", "NCDHW"),
               f"layout {node.attr_str('layout', 'None')!r} is not supported (channel-first only)")
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
    node.check(len(kernel) == len(stride) == len(pad) == rank,
               f"kernel {kernel}, stride {stride}, pad {pad} don't fit a {rank}-d input")
    if pool_type == "max":
        pool = opset8.max_pool(data, stride, [1] * rank, pad, pad, kernel, _ROUNDING[convention])
    else:
        exclude_pad = not node.attr_bool("count_include_pad", True)
        pool = opset8.avg_pool(data, stride, pad, pad, kernel, exclude_pad, _ROUNDING[convention])
    return [ctx.named(pool, node.name)]
