"""Tensors built from another one's shape or values: ones_like, zeros_like, Cast, Pad."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import AnyRecord, Inferred, InputShapes, OpRecord, data_shape, same_shape
from ovzoo.mxnet.symbol import Node


def _parse_one_input(node: Node) -> None:
    node.expect_inputs(1)


def filled_like(value: float) -> AnyRecord:
    """MXNet ones_like(data) / zeros_like(data): a constant broadcast to the input's (runtime) shape."""

    def translate(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
        constant = ctx.constant(np.array(value, np.float32), f"{node.name}/value")
        shape = opset8.shape_of(ctx.input(node, 0))
        return [ctx.named(opset8.broadcast(constant, shape), node.name)]

    return OpRecord(_parse_one_input, same_shape, translate)


ONES_LIKE = filled_like(1.0)
ZEROS_LIKE = filled_like(0.0)

_FLOAT_CASTS = ("float32", "float64")  # no change to f32 values (float64 keeps them exactly)
_INTEGER_CASTS = ("int8", "uint8", "int32", "int64")


def parse_cast(node: Node) -> str:
    """MXNet Cast(data; dtype) (no default). The IR computes in f32: float32/float64 change nothing,
    integer types truncate toward zero (values are assumed in the type's range). float16 is refused:
    MXNet would then compute the following ops in half precision, which an f32 IR can't reproduce."""
    node.expect_inputs(1)
    dtype = node.attr_str("dtype", "")
    supported = (*_FLOAT_CASTS, *_INTEGER_CASTS)
    node.check(dtype in supported, f"dtype {dtype!r} is not supported ({', '.join(supported)})")
    return dtype


def translate_cast(node: Node, dtype: str, ctx: ConvertContext) -> list[ov.Output]:
    data = ctx.input(node, 0)
    if dtype in _FLOAT_CASTS:
        return [data]
    # C's float -> int conversion truncates; Convert's rounding is not pinned, so truncate in f32
    return [ctx.named(opset8.multiply(opset8.sign(data), opset8.floor(opset8.abs(data))), node.name)]


CAST = OpRecord(parse_cast, same_shape, translate_cast)


@dataclass(frozen=True)
class Pad:
    """MXNet Pad(data; mode (required), pad_width, constant_value=0): pad_width is (before, after) per
    axis, all axes listed; MXNet pads only the spatial axes of 4-d and 5-d inputs."""

    mode: str
    pad_width: tuple[int, ...]
    constant_value: float


def parse_pad(node: Node) -> Pad:
    node.expect_inputs(1)
    node.require("mode")
    attrs = Pad(
        node.attr_str("mode", "constant"),
        node.attr_tuple("pad_width", ()),
        node.attr_float("constant_value", 0.0),
    )
    node.check(attrs.mode in ("constant", "edge", "reflect"), f"mode {attrs.mode!r} is not supported")
    if min(attrs.pad_width, default=0) < 0:
        raise node.format_error(f"attribute 'pad_width': negative padding in {attrs.pad_width}")
    return attrs


def infer_pad(node: Node, attrs: Pad, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    width = attrs.pad_width
    if len(width) != 2 * len(data) or any(width[:4]):
        raise node.format_error(f"pad_width {width} doesn't pad only the spatial axes of {data}")
    if attrs.mode == "reflect" and any(
        width[2 * i] >= d or width[2 * i + 1] >= d for i, d in enumerate(data)
    ):
        raise node.format_error(f"reflect padding {width} is not smaller than the input {data}")
    return [tuple(d + width[2 * i] + width[2 * i + 1] for i, d in enumerate(data))], []


def translate_pad(node: Node, attrs: Pad, ctx: ConvertContext) -> list[ov.Output]:
    begin, end = list(attrs.pad_width[0::2]), list(attrs.pad_width[1::2])
    value = ctx.constant(np.array(attrs.constant_value, np.float32), f"{node.name}/value")
    padded = opset8.pad(
        ctx.input(node, 0),
        ctx.integers(begin, f"{node.name}/begin"),
        ctx.integers(end, f"{node.name}/end"),
        attrs.mode,
        value if attrs.mode == "constant" else None,
    )
    return [ctx.named(padded, node.name)]


PAD = OpRecord(parse_pad, infer_pad, translate_pad)
