"""UpSampling (nearest, integer scale) as Interpolate-11 with constant scales."""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset11

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape
from ovzoo.mxnet.symbol import Node


def parse_upsampling(node: Node) -> int:
    """MXNet UpSampling(*data; scale, sample_type, num_args, num_filter=0, multi_input_mode='concat', workspace).

    Only one input with sample_type='nearest' (the scale is returned): several inputs (resized to
    the first and concatenated or summed) and bilinear upsampling (a learned deconvolution) are refused.
    """
    sample_type = node.attr_str("sample_type", "nearest")
    node.check(sample_type == "nearest", f"sample_type {sample_type!r} is not supported (nearest)")
    node.check(len(node.inputs) == 1, f"{len(node.inputs)} inputs are not supported (one)")
    scale = node.attr_int("scale", 1)
    node.check(scale >= 1, f"scale {scale} is not supported (an integer >= 1)")
    return scale


def infer_upsampling(node: Node, scale: int, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    return [(*data[:2], *(x * scale for x in data[2:]))], []


def translate_upsampling(node: Node, scale: int, ctx: ConvertContext) -> list[ov.Output]:
    """x[..., i, j] = data[..., i // scale, j // scale], which is Interpolate nearest / asymmetric /
    floor. Scales (not sizes) keep the IR reshapeable."""
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


UPSAMPLING = OpRecord(parse_upsampling, infer_upsampling, translate_upsampling)
