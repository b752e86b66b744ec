"""Binary arithmetic and comparisons: add_n (ElementWiseSum), elemwise_*, _maximum-style ops, broadcast_*.

Comparisons give 1.0 or 0.0 in the input's type, as MXNet does.
"""

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


def as_float(comparison: Binary) -> Binary:
    """A comparison whose boolean result is converted to f32 1.0 / 0.0 (MXNet keeps the input type)."""
    return lambda a, b: opset8.convert(comparison(a, b), "f32")


# the arithmetic and comparisons shared by the elemwise_*, _<op> and broadcast_* spellings
ADD, SUBTRACT, MULTIPLY, DIVIDE = opset8.add, opset8.subtract, opset8.multiply, opset8.divide
MAXIMUM, MINIMUM, POWER = opset8.maximum, opset8.minimum, opset8.power
EQUAL, NOT_EQUAL = as_float(opset8.equal), as_float(opset8.not_equal)
GREATER, GREATER_EQUAL = as_float(opset8.greater), as_float(opset8.greater_equal)
LESS, LESS_EQUAL = as_float(opset8.less), as_float(opset8.less_equal)

ELEMWISE_ADD = binary(ADD, broadcasting=False)
ELEMWISE_SUB = binary(SUBTRACT, broadcasting=False)
ELEMWISE_MUL = binary(MULTIPLY, broadcasting=False)
ELEMWISE_DIV = binary(DIVIDE, broadcasting=False)
ELEMWISE_MAXIMUM = binary(MAXIMUM, broadcasting=False)
ELEMWISE_MINIMUM = binary(MINIMUM, broadcasting=False)
ELEMWISE_POWER = binary(POWER, broadcasting=False)
ELEMWISE_EQUAL = binary(EQUAL, broadcasting=False)
ELEMWISE_NOT_EQUAL = binary(NOT_EQUAL, broadcasting=False)
ELEMWISE_GREATER = binary(GREATER, broadcasting=False)
ELEMWISE_GREATER_EQUAL = binary(GREATER_EQUAL, broadcasting=False)
ELEMWISE_LESSER = binary(LESS, broadcasting=False)
ELEMWISE_LESSER_EQUAL = binary(LESS_EQUAL, broadcasting=False)

BROADCAST_ADD = binary(ADD, broadcasting=True)
BROADCAST_SUB = binary(SUBTRACT, broadcasting=True)
BROADCAST_MUL = binary(MULTIPLY, broadcasting=True)
BROADCAST_DIV = binary(DIVIDE, broadcasting=True)
BROADCAST_MAXIMUM = binary(MAXIMUM, broadcasting=True)
BROADCAST_MINIMUM = binary(MINIMUM, broadcasting=True)
BROADCAST_POWER = binary(POWER, broadcasting=True)
BROADCAST_EQUAL = binary(EQUAL, broadcasting=True)
BROADCAST_NOT_EQUAL = binary(NOT_EQUAL, broadcasting=True)
BROADCAST_GREATER = binary(GREATER, broadcasting=True)
BROADCAST_GREATER_EQUAL = binary(GREATER_EQUAL, broadcasting=True)
BROADCAST_LESSER = binary(LESS, broadcasting=True)
BROADCAST_LESSER_EQUAL = binary(LESS_EQUAL, broadcasting=True)
