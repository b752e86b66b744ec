"""UpSampling (nearest, integer scale) as Interpolate-11 with constant scales."""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset11

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node


def translate_upsampling(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet UpSampling(*data; scale, sample_type, num_args, num_filter=0, multi_input_mode='concat', workspace).

    Only one input with sample_type='nearest': x[..., i, j] = data[..., i // scale, j // scale], which
    is Interpolate nearest / asymmetric / floor. Scales (not sizes) keep the IR reshapeable.
    """
    node.check(
        node.attr_str("sample_type", "nearest") == "nearest",
        f"sample_type {node.attr_str('sample_type', '')!r} is not supported (nearest)",
    )
    node.check(len(node.inputs) == 1, f"{len(node.inputs)} inputs are not supported (one)")
    scale = node.attr_int("scale", 1)
    node.check(scale >= 1, f"scale {scale} is not supported (an integer >= 1)")
    rank = len(ctx.input_shape(node, 0)) - 2
    scales = ctx.constant(np.full(rank, scale, dtype=np.float32), f"{node.name}/scales")
    axes = ctx.integers(list(range(2, rank + 2)), f"{node.name}/axes")
    resized = opset11.interpolate(
        ctx.input(node, 0),
        scales,
        mode="nearest",
        shape_calculation_mode="scales",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
        axes=axes,
    )
    return [ctx.named(resized, node.name)]
