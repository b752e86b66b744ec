"""BatchNorm: folded into the preceding convolution when the plan says so, else one Multiply + Add."""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node


def batch_norm_affine(node: Node, ctx: ConvertContext) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (scale, shift) with ``bn(x) == x * scale + shift`` in inference.

    MXNet BatchNorm(data, gamma, beta, moving_mean, moving_var; eps=1e-3, momentum=0.9,
    fix_gamma=True, use_global_stats=False, output_mean_var=False, axis=1, cudnn_off=False).
    fix_gamma defaults to True: gamma is then taken as 1 whatever the params hold (MXNet overwrites
    it with ones), and a JSON that doesn't mention fix_gamma means True. Inference always uses the
    moving statistics, so use_global_stats and momentum don't matter.
    """
    node.expect_inputs(5)
    eps = node.attr_float("eps", 1e-3)
    beta, mean, var = (ctx.param(node, slot).astype(np.float64) for slot in (2, 3, 4))
    scale = 1.0 / np.sqrt(var + eps)
    if not node.attr_bool("fix_gamma", True):
        scale = scale * ctx.param(node, 1)
    shift = beta - mean * scale
    return scale.astype(np.float32), shift.astype(np.float32)


def translate_batch_norm(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet BatchNorm(data, gamma, beta, moving_mean, moving_var; eps=1e-3, fix_gamma=True, axis=1, ...)."""
    node.check(not node.attr_bool("output_mean_var", False), "output_mean_var=True is not supported")
    if ctx.is_folded(node):
        return [ctx.input(node, 0)]  # the convolution already applied it and carries this node's name
    shape = ctx.input_shape(node, 0)
    axis = node.attr_int("axis", 1)
    axis = axis + len(shape) if axis < 0 else axis
    node.check(
        0 < axis < len(shape), f"axis {node.attr_int('axis', 1)} is out of range for input shape {shape}"
    )
    scale, shift = batch_norm_affine(node, ctx)
    broadcast = [1] * len(shape)
    broadcast[axis] = shape[axis]
    scaled = opset8.multiply(ctx.input(node, 0), ctx.constant(scale.reshape(broadcast), f"{node.name}/scale"))
    ctx.named(scaled, f"{node.name}/multiply")
    shifted = opset8.add(scaled, ctx.constant(shift.reshape(broadcast), f"{node.name}/shift"))
    return [ctx.named(shifted, node.name)]
