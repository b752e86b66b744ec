"""Element-wise functions of one tensor: the math family (relu, exp, sqrt, ...), clip, hard_sigmoid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import AnyRecord, OpRecord, same_shape
from ovzoo.mxnet.symbol import Node

Function = Callable[[ov.Output, Callable[[float, str], ov.Output]], ov.Node]


def _parse_one_input(node: Node) -> None:
    node.expect_inputs(1)


def unary(function: Function) -> AnyRecord:
    """MXNet <op>(data): ``function(x, scalar)`` builds it, ``scalar(value, suffix)`` makes f32 constants."""

    def translate(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
        def scalar(value: float, suffix: str) -> ov.Output:
            return ctx.constant(np.array(value, np.float32), f"{node.name}/{suffix}")

        return [ctx.named(function(ctx.input(node, 0), scalar), node.name)]

    return OpRecord(_parse_one_input, same_shape, translate)


ABS = unary(lambda x, c: opset8.abs(x))
CEIL = unary(lambda x, c: opset8.ceiling(x))
ERF = unary(lambda x, c: opset8.erf(x))
EXP = unary(lambda x, c: opset8.exp(x))
FLOOR = unary(lambda x, c: opset8.floor(x))
LOG = unary(lambda x, c: opset8.log(x))
NEGATIVE = unary(lambda x, c: opset8.negative(x))
RECIPROCAL = unary(lambda x, c: opset8.divide(c(1.0, "one"), x))
RELU = unary(lambda x, c: opset8.relu(x))
RSQRT = unary(lambda x, c: opset8.divide(c(1.0, "one"), opset8.sqrt(x)))
SIGMOID = unary(lambda x, c: opset8.sigmoid(x))
SOFTSIGN = unary(
    lambda x, c: opset8.divide(x, opset8.add(opset8.abs(x), c(1.0, "one")))
)  # no SoftSign in opset8
SQRT = unary(lambda x, c: opset8.sqrt(x))
SQUARE = unary(lambda x, c: opset8.multiply(x, x))
TANH = unary(lambda x, c: opset8.tanh(x))


@dataclass(frozen=True)
class Clip:
    """MXNet clip(data; a_min, a_max): both bounds required."""

    a_min: float
    a_max: float


def parse_clip(node: Node) -> Clip:
    node.expect_inputs(1)
    node.require("a_min", "a_max")
    attrs = Clip(node.attr_float("a_min", 0.0), node.attr_float("a_max", 0.0))
    node.check(not (np.isnan(attrs.a_min) or np.isnan(attrs.a_max)), "NaN bounds are not supported")
    return attrs


def translate_clip(node: Node, attrs: Clip, ctx: ConvertContext) -> list[ov.Output]:
    if attrs.a_min > attrs.a_max:  # MXNet then returns a_max everywhere (min(max(x, a_min), a_max))
        low = ctx.constant(np.array(attrs.a_min, np.float32), f"{node.name}/a_min")
        high = ctx.constant(np.array(attrs.a_max, np.float32), f"{node.name}/a_max")
        return [ctx.named(opset8.minimum(opset8.maximum(ctx.input(node, 0), low), high), node.name)]
    return [ctx.named(opset8.clamp(ctx.input(node, 0), attrs.a_min, attrs.a_max), node.name)]


CLIP = OpRecord(parse_clip, same_shape, translate_clip)


@dataclass(frozen=True)
class HardSigmoid:
    """MXNet hard_sigmoid(data; alpha=0.2, beta=0.5): max(0, min(1, alpha * x + beta))."""

    alpha: float
    beta: float


def parse_hard_sigmoid(node: Node) -> HardSigmoid:
    node.expect_inputs(1)
    return HardSigmoid(node.attr_float("alpha", 0.2), node.attr_float("beta", 0.5))


def translate_hard_sigmoid(node: Node, attrs: HardSigmoid, ctx: ConvertContext) -> list[ov.Output]:
    alpha = ctx.constant(np.array(attrs.alpha, np.float32), f"{node.name}/alpha")
    beta = ctx.constant(np.array(attrs.beta, np.float32), f"{node.name}/beta")
    return [ctx.named(opset8.hard_sigmoid(ctx.input(node, 0), alpha, beta), node.name)]


HARD_SIGMOID = OpRecord(parse_hard_sigmoid, same_shape, translate_hard_sigmoid)
