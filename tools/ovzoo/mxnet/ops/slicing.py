"""Joining and cutting tensors: Concat."""

from __future__ import annotations

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape, normalized_axis
from ovzoo.mxnet.symbol import Node


def parse_concat(node: Node) -> int:
    """MXNet Concat(*data; num_args, dim=1): the axis (DenseNet's symbols omit dim, meaning 1)."""
    node.expect_inputs(1, max(1, len(node.inputs)))
    return node.attr_int("dim", 1)


def infer_concat(node: Node, dim: int, shapes: InputShapes) -> Inferred:
    inputs = [data_shape(node, shapes, i) for i in range(len(shapes))]
    first = inputs[0]
    axis = normalized_axis(node, dim, len(first), "dim")
    for slot, shape in enumerate(inputs):
        if len(shape) != len(first) or shape[:axis] + shape[axis + 1 :] != first[:axis] + first[axis + 1 :]:
            raise node.format_error(
                f"input {slot} has shape {shape}, which doesn't concatenate on axis {axis} with {first}"
            )
    return [(*first[:axis], sum(shape[axis] for shape in inputs), *first[axis + 1 :])], []


def translate_concat(node: Node, dim: int, ctx: ConvertContext) -> list[ov.Output]:
    axis = dim % len(ctx.input_shape(node, 0))
    return [ctx.named(opset8.concat(ctx.inputs(node), axis), node.name)]


CONCAT = OpRecord(parse_concat, infer_concat, translate_concat)
