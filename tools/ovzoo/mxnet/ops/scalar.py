"""Tensor-with-scalar arithmetic and comparisons: _plus_scalar, _rdiv_scalar, _greater_scalar, ...

MXNet writes ``x + 1`` as ``_plus_scalar(x; scalar=1)``; the ``_r`` forms put the scalar on the left
(``1 - x`` is ``_rminus_scalar``). The scalar is cast to the tensor's type (f32) as MXNet does.
"""

from __future__ import annotations

import numpy as np
import openvino as ov

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops import elementwise
from ovzoo.mxnet.ops.elementwise import Binary
from ovzoo.mxnet.record import AnyRecord, OpRecord, same_shape
from ovzoo.mxnet.symbol import Node


def parse_scalar(node: Node) -> float:
    """MXNet _<op>_scalar(data; scalar=1, is_int=True): the scalar operand (is_int matters only for int tensors)."""
    node.expect_inputs(1)
    return node.attr_float("scalar", 1.0)


def with_scalar(operation: Binary, *, scalar_first: bool = False) -> AnyRecord:
    def translate(node: Node, scalar: float, ctx: ConvertContext) -> list[ov.Output]:
        constant = ctx.constant(np.array(scalar, np.float32), f"{node.name}/scalar")
        x = ctx.input(node, 0)
        result = operation(constant, x) if scalar_first else operation(x, constant)
        return [ctx.named(result, node.name)]

    return OpRecord(parse_scalar, same_shape, translate)


PLUS = with_scalar(elementwise.ADD)
MINUS = with_scalar(elementwise.SUBTRACT)
RMINUS = with_scalar(elementwise.SUBTRACT, scalar_first=True)
MUL = with_scalar(elementwise.MULTIPLY)
DIV = with_scalar(elementwise.DIVIDE)
RDIV = with_scalar(elementwise.DIVIDE, scalar_first=True)
POWER = with_scalar(elementwise.POWER)
RPOWER = with_scalar(elementwise.POWER, scalar_first=True)
MAXIMUM = with_scalar(elementwise.MAXIMUM)
MINIMUM = with_scalar(elementwise.MINIMUM)
EQUAL = with_scalar(elementwise.EQUAL)
NOT_EQUAL = with_scalar(elementwise.NOT_EQUAL)
GREATER = with_scalar(elementwise.GREATER)
GREATER_EQUAL = with_scalar(elementwise.GREATER_EQUAL)
LESSER = with_scalar(elementwise.LESS)
LESSER_EQUAL = with_scalar(elementwise.LESS_EQUAL)
