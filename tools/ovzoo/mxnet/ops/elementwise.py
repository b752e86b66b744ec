"""Sums and products: add_n (ElementWiseSum), elemwise_* and broadcast_* (numpy broadcasting)."""

from __future__ import annotations

from collections.abc import Callable

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import AnyRecord, OpRecord, all_alike, broadcast
from ovzoo.mxnet.symbol import Node


def _parse_add_n(node: Node) -> None:
    """MXNet add_n(*args; num_args) (ElementWiseSum is its older name): the sum of same-shaped inputs."""
    node.expect_inputs(1, max(1, len(node.inputs)))


def translate_add_n(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
    values = ctx.inputs(node)
    total = values[0]
    for i, value in enumerate(values[1:], start=1):
        total = ctx.named(
            opset8.add(total, value), node.name if i == len(values) - 1 else f"{node.name}/add{i}"
        )
    return [total]


ADD_N = OpRecord(_parse_add_n, all_alike, translate_add_n, sizes_inputs_alike=True)

Binary = Callable[[ov.Output, ov.Output], ov.Node]


def _parse_binary(node: Node) -> None:
    node.expect_inputs(2)


def binary(operation: Binary, *, broadcasting: bool) -> AnyRecord:
    """MXNet elemwise_<op>(lhs, rhs) (same shapes) or broadcast_<op>(lhs, rhs) (numpy broadcasting)."""

    def translate(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
        return [ctx.named(operation(ctx.input(node, 0), ctx.input(node, 1)), node.name)]

    if broadcasting:
        return OpRecord(_parse_binary, broadcast, translate)
    return OpRecord(_parse_binary, all_alike, translate, sizes_inputs_alike=True)


ELEMWISE_ADD = binary(opset8.add, broadcasting=False)
ELEMWISE_MUL = binary(opset8.multiply, broadcasting=False)
BROADCAST_ADD = binary(opset8.add, broadcasting=True)
BROADCAST_MUL = binary(opset8.multiply, broadcasting=True)
