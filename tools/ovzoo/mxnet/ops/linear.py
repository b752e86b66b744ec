"""FullyConnected as MatMul (transposed weights) plus bias."""

from __future__ import annotations

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node


def translate_fully_connected(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet FullyConnected(data, weight, bias; num_hidden, no_bias=False, flatten=True).

    Weight layout (num_hidden, features). flatten=True first reshapes the input to (N, -1);
    flatten=False applies the layer to the last axis.
    """
    no_bias = node.attr_bool("no_bias", False)
    node.expect_inputs(2 if no_bias else 3)
    data = ctx.input(node, 0)
    if node.attr_bool("flatten", True) and len(ctx.input_shape(node, 0)) != 2:
        flat = opset8.reshape(data, ctx.integers([0, -1], f"{node.name}/flat_shape"), special_zero=True)
        data = ctx.named(flat, f"{node.name}/flatten")
    weights = ctx.constant(ctx.param(node, 1), ctx.graph.nodes[node.inputs[1].node].name)
    product = opset8.matmul(data, weights, transpose_a=False, transpose_b=True)
    if no_bias:
        return [ctx.named(product, node.name)]
    ctx.named(product, f"{node.name}/matmul")
    return [ctx.named(opset8.add(product, ctx.input(node, 2)), node.name)]
