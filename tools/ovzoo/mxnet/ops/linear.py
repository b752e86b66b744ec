"""FullyConnected as MatMul (transposed weights) plus bias."""

from __future__ import annotations

import math
from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Expected, Inferred, InputShapes, OpRecord, data_shape
from ovzoo.mxnet.symbol import Node


@dataclass(frozen=True)
class FullyConnected:
    """MXNet FullyConnected(data, weight, bias; num_hidden, no_bias=False, flatten=True).

    Weight layout (num_hidden, features). flatten=True first reshapes the input to (N, -1), so an
    (N, C, 1, 1) input is an (N, C) one; flatten=False applies the layer to the last axis.
    """

    num_hidden: int
    no_bias: bool
    flatten: bool


def parse_fully_connected(node: Node) -> FullyConnected:
    attrs = FullyConnected(
        node.attr_int("num_hidden", 0), node.attr_bool("no_bias", False), node.attr_bool("flatten", True)
    )
    node.expect_inputs(2 if attrs.no_bias else 3)
    if attrs.num_hidden <= 0:
        raise node.format_error(
            f"attribute 'num_hidden': expected a positive integer, got {attrs.num_hidden}"
        )
    return attrs


def infer_fully_connected(node: Node, attrs: FullyConnected, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    hidden = attrs.num_hidden
    output: tuple[int, ...]
    if attrs.flatten:
        output, features = (data[0], hidden), math.prod(data[1:])
    else:
        output, features = (*data[:-1], hidden), data[-1]
    expected: Expected = [None, (hidden, features)]
    if not attrs.no_bias:
        expected.append((hidden,))
    return [output], expected


def translate_fully_connected(node: Node, attrs: FullyConnected, ctx: ConvertContext) -> list[ov.Output]:
    data = ctx.input(node, 0)
    if attrs.flatten and len(ctx.input_shape(node, 0)) != 2:
        flat = opset8.reshape(data, ctx.integers([0, -1], f"{node.name}/flat_shape"), special_zero=True)
        data = ctx.named(flat, f"{node.name}/flatten")
    weights = ctx.constant(ctx.param(node, 1), ctx.graph.nodes[node.inputs[1].node].name)
    product = opset8.matmul(data, weights, transpose_a=False, transpose_b=True)
    if attrs.no_bias:
        return [ctx.named(product, node.name)]
    ctx.named(product, f"{node.name}/matmul")
    return [ctx.named(opset8.add(product, ctx.input(node, 2)), node.name)]


FULLY_CONNECTED = OpRecord(parse_fully_connected, infer_fully_connected, translate_fully_connected)
