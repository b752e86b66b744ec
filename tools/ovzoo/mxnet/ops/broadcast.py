"""Explicit broadcasts: broadcast_to, broadcast_like, broadcast_axis (broadcast_axes); and where."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, Shape, all_alike, data_shape, normalized_axis
from ovzoo.mxnet.symbol import Node


def _broadcast_to_shape(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """Broadcast input 0 to this node's (statically inferred) output shape."""
    target = ctx.integers(list(ctx.output_shape(node)), f"{node.name}/shape")
    return [ctx.named(opset8.broadcast(ctx.input(node, 0), target), node.name)]


def _checked(node: Node, data: Shape, target: Shape) -> Shape:
    if len(data) != len(target) or any(d not in (1, t) for d, t in zip(data, target, strict=True)):
        raise node.format_error(f"shape {data} doesn't broadcast to {target}")
    return target


def parse_broadcast_to(node: Node) -> tuple[int, ...]:
    """MXNet broadcast_to(data; shape=()): the target, where 0 keeps the input's dim."""
    node.expect_inputs(1)
    return node.attr_tuple("shape", ())


def infer_broadcast_to(node: Node, shape: tuple[int, ...], shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(shape) != len(data):
        raise node.format_error(f"attribute 'shape': {shape} doesn't fit input shape {data}")
    return [_checked(node, data, tuple(d if s == 0 else s for d, s in zip(data, shape, strict=True)))], []


BROADCAST_TO = OpRecord(
    parse_broadcast_to, infer_broadcast_to, lambda node, attrs, ctx: _broadcast_to_shape(node, ctx)
)


def parse_broadcast_like(node: Node) -> None:
    """MXNet broadcast_like(lhs, rhs; lhs_axes=None, rhs_axes=None): lhs broadcast to rhs's shape (no axes)."""
    node.expect_inputs(2)
    for name in ("lhs_axes", "rhs_axes"):
        node.check(node.attr_str(name, "None") == "None", f"{name} is not supported (whole shapes only)")


def infer_broadcast_like(node: Node, attrs: None, shapes: InputShapes) -> Inferred:
    return [_checked(node, data_shape(node, shapes, 0), data_shape(node, shapes, 1))], []


BROADCAST_LIKE = OpRecord(
    parse_broadcast_like, infer_broadcast_like, lambda node, attrs, ctx: _broadcast_to_shape(node, ctx)
)


@dataclass(frozen=True)
class BroadcastAxis:
    """MXNet broadcast_axis(data; axis=(), size=()) (alias broadcast_axes): size-1 axes repeated ``size`` times."""

    axis: tuple[int, ...]
    size: tuple[int, ...]


def parse_broadcast_axis(node: Node) -> BroadcastAxis:
    node.expect_inputs(1)
    attrs = BroadcastAxis(node.attr_tuple("axis", ()), node.attr_tuple("size", ()))
    if len(attrs.axis) != len(attrs.size) or any(s <= 0 for s in attrs.size):
        raise node.format_error(f"axis {attrs.axis} and size {attrs.size} don't pair up")
    return attrs


def infer_broadcast_axis(node: Node, attrs: BroadcastAxis, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    target = list(data)
    for axis, size in zip(attrs.axis, attrs.size, strict=True):
        target[normalized_axis(node, axis, len(data))] = size
    return [_checked(node, data, tuple(target))], []


BROADCAST_AXIS = OpRecord(
    parse_broadcast_axis, infer_broadcast_axis, lambda node, attrs, ctx: _broadcast_to_shape(node, ctx)
)


def _parse_where(node: Node) -> None:
    """MXNet where(condition, x, y): x where condition is non-zero, else y (all three the same shape)."""
    node.expect_inputs(3)


def translate_where(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
    condition = opset8.not_equal(
        ctx.input(node, 0), ctx.constant(np.zeros((), np.float32), f"{node.name}/zero")
    )
    return [ctx.named(opset8.select(condition, ctx.input(node, 1), ctx.input(node, 2)), node.name)]


WHERE = OpRecord(_parse_where, all_alike, translate_where, sizes_inputs_alike=True)
