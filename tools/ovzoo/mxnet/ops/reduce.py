"""Reductions: sum, mean, max, min, prod with axis, keepdims and exclude."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import AnyRecord, Inferred, InputShapes, OpRecord, data_shape, normalized_axis
from ovzoo.mxnet.symbol import Node


@dataclass(frozen=True)
class Reduce:
    """MXNet sum|mean|max|min|prod(data; axis=(), keepdims=False, exclude=False).

    An empty axis means every axis; exclude=True reduces over the axes *not* listed. Reducing
    every axis without keepdims gives shape (1,), not a scalar (MXNet's legacy shapes).
    """

    axis: tuple[int, ...]
    keepdims: bool
    exclude: bool


def parse_reduce(node: Node) -> Reduce:
    node.expect_inputs(1)
    return Reduce(
        node.attr_tuple("axis", ()), node.attr_bool("keepdims", False), node.attr_bool("exclude", False)
    )


def reduced_axes(node: Node, attrs: Reduce, rank: int) -> list[int]:
    listed = sorted({normalized_axis(node, axis, rank) for axis in attrs.axis})
    if len(listed) != len(attrs.axis):
        raise node.format_error(f"attribute 'axis': {attrs.axis} names an axis twice")
    if attrs.exclude:
        return [axis for axis in range(rank) if axis not in listed]
    return listed if attrs.axis else list(range(rank))


def infer_reduce(node: Node, attrs: Reduce, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    axes = reduced_axes(node, attrs, len(data))
    if attrs.keepdims:
        return [tuple(1 if i in axes else d for i, d in enumerate(data))], []
    kept = tuple(d for i, d in enumerate(data) if i not in axes)
    return [kept or (1,)], []


Reduction = Callable[[ov.Output, ov.Output, bool], ov.Node]


def reduction(operation: Reduction) -> AnyRecord:
    def translate(node: Node, attrs: Reduce, ctx: ConvertContext) -> list[ov.Output]:
        data = ctx.input(node, 0)
        axes = reduced_axes(node, attrs, len(ctx.input_shape(node, 0)))
        if not axes:  # exclude=True listing every axis: nothing to reduce
            return [data]
        result = operation(data, ctx.integers(axes, f"{node.name}/axes"), attrs.keepdims)
        if ctx.output_shape(node) == (1,) and len(axes) == len(ctx.input_shape(node, 0)):
            ctx.named(result, f"{node.name}/reduce")
            result = opset8.reshape(result, ctx.integers([1], f"{node.name}/shape"), special_zero=False)
        return [ctx.named(result, node.name)]

    return OpRecord(parse_reduce, infer_reduce, translate)


MAX = reduction(opset8.reduce_max)
MEAN = reduction(opset8.reduce_mean)
MIN = reduction(opset8.reduce_min)
PROD = reduction(opset8.reduce_prod)
SUM = reduction(opset8.reduce_sum)
