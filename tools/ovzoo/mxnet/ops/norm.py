"""BatchNorm: folded into the preceding convolution when the plan says so, else one Multiply + Add."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape, normalized_axis
from ovzoo.mxnet.symbol import Node


@dataclass(frozen=True)
class BatchNorm:
    """MXNet BatchNorm(data, gamma, beta, moving_mean, moving_var; eps=1e-3, momentum=0.9,
    fix_gamma=True, use_global_stats=False, output_mean_var=False, axis=1, cudnn_off=False).

    fix_gamma defaults to True: gamma is then taken as 1 whatever the params hold (MXNet overwrites
    it with ones), and a JSON that doesn't mention fix_gamma means True. Inference always uses the
    moving statistics, so use_global_stats and momentum don't matter.
    """

    eps: float
    fix_gamma: bool
    axis: int
    output_mean_var: bool


def parse_batch_norm(node: Node) -> BatchNorm:
    node.expect_inputs(5)
    attrs = BatchNorm(
        node.attr_float("eps", 1e-3),
        node.attr_bool("fix_gamma", True),
        node.attr_int("axis", 1),
        node.attr_bool("output_mean_var", False),
    )
    node.check(attrs.eps >= 0, f"eps {attrs.eps} is negative")
    node.check(not attrs.output_mean_var, "output_mean_var=True is not supported")
    return attrs


def infer_batch_norm(node: Node, attrs: BatchNorm, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    channels = (data[normalized_axis(node, attrs.axis, len(data))],)
    return [data], [None, channels, channels, channels, channels]


def batch_norm_affine(node: Node, ctx: ConvertContext) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (scale, shift) with ``bn(x) == x * scale + shift`` in inference.

    Raises:
        FormatError: a negative or NaN moving variance (names the param).
    """
    attrs = ctx.attributes[node.index] if ctx.attributes else parse_batch_norm(node)
    beta, mean, var = (ctx.param(node, slot).astype(np.float64) for slot in (2, 3, 4))
    bad = np.flatnonzero(~(var >= 0))  # NaN compares false
    if bad.size:
        raise ctx.param_error(
            node, 4, f"{bad.size} negative or NaN variance(s), first {var[bad[0]]} at index {bad[0]}"
        )
    scale = 1.0 / np.sqrt(var + attrs.eps)
    if not attrs.fix_gamma:
        scale = scale * ctx.param(node, 1)
    shift = beta - mean * scale
    return scale.astype(np.float32), shift.astype(np.float32)


def translate_batch_norm(node: Node, attrs: BatchNorm, ctx: ConvertContext) -> list[ov.Output]:
    if ctx.is_folded(node):
        return [ctx.input(node, 0)]  # the convolution already applied it and carries this node's name
    shape = ctx.input_shape(node, 0)
    axis = normalized_axis(node, attrs.axis, len(shape))
    node.check(axis > 0, f"axis {attrs.axis} (the batch axis) is not supported")
    scale, shift = batch_norm_affine(node, ctx)
    broadcast = [1] * len(shape)
    broadcast[axis] = shape[axis]
    scaled = opset8.multiply(ctx.input(node, 0), ctx.constant(scale.reshape(broadcast), f"{node.name}/scale"))
    ctx.named(scaled, f"{node.name}/multiply")
    shifted = opset8.add(scaled, ctx.constant(shift.reshape(broadcast), f"{node.name}/shift"))
    return [ctx.named(shifted, node.name)]


BATCH_NORM = OpRecord(parse_batch_norm, infer_batch_norm, translate_batch_norm)
