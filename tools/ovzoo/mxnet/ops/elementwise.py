"""Sums and products: add_n (ElementWiseSum), elemwise_* and broadcast_* (numpy broadcasting)."""

from __future__ import annotations

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node


def translate_add_n(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet add_n(*args; num_args) (ElementWiseSum is its older name): the sum of same-shaped inputs."""
    node.expect_inputs(1, len(node.inputs) or 1)
    values = ctx.inputs(node)
    total = values[0]
    for i, value in enumerate(values[1:], start=1):
        total = ctx.named(
            opset8.add(total, value), node.name if i == len(values) - 1 else f"{node.name}/add{i}"
        )
    return [total]


def translate_elemwise_add(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet elemwise_add(lhs, rhs): same shapes."""
    node.expect_inputs(2)
    return [ctx.named(opset8.add(ctx.input(node, 0), ctx.input(node, 1)), node.name)]


def translate_broadcast_add(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet broadcast_add(lhs, rhs) (alias broadcast_plus): numpy broadcasting."""
    return translate_elemwise_add(node, ctx)


def translate_elemwise_mul(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet elemwise_mul(lhs, rhs): same shapes."""
    node.expect_inputs(2)
    return [ctx.named(opset8.multiply(ctx.input(node, 0), ctx.input(node, 1)), node.name)]


def translate_broadcast_mul(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet broadcast_mul(lhs, rhs): numpy broadcasting."""
    return translate_elemwise_mul(node, ctx)
