"""Activation (relu, sigmoid, tanh, softrelu, softsign) and LeakyReLU (leaky, prelu, elu, selu, gelu, rrelu)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape, same_shape
from ovzoo.mxnet.symbol import Node


def _softsign(x: ov.Output, name: str) -> ov.Node:
    # opset8 has no SoftSign (added in opset9): x / (1 + |x|)
    one = ConvertContext.constant(np.ones((), np.float32), f"{name}/one")
    return opset8.divide(x, opset8.add(opset8.abs(x), one))


_ACTIVATIONS: dict[str, Callable[[ov.Output, str], ov.Node]] = {
    "relu": lambda x, name: opset8.relu(x),
    "sigmoid": lambda x, name: opset8.sigmoid(x),
    "softrelu": lambda x, name: opset8.softplus(x),  # log(1 + exp(x))
    "softsign": _softsign,
    "tanh": lambda x, name: opset8.tanh(x),
}


def parse_activation(node: Node) -> str:
    """MXNet Activation(data; act_type) with act_type relu|sigmoid|tanh|softrelu|softsign (no default)."""
    node.expect_inputs(1)
    act_type = node.attr_str("act_type", "")
    node.check(
        act_type in _ACTIVATIONS, f"act_type {act_type!r} is not supported ({', '.join(_ACTIVATIONS)})"
    )
    return act_type


def translate_activation(node: Node, act_type: str, ctx: ConvertContext) -> list[ov.Output]:
    return [ctx.named(_ACTIVATIONS[act_type](ctx.input(node, 0), node.name), node.name)]


ACTIVATION = OpRecord(parse_activation, same_shape, translate_activation)


# MXNet's SELU constants (src/operator/leaky_relu-inl.h)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946
_LEAKY_TYPES = ("leaky", "prelu", "elu", "selu", "gelu", "rrelu")


@dataclass(frozen=True)
class LeakyReLU:
    """MXNet LeakyReLU(data, gamma; act_type='leaky', slope=0.25, lower_bound=0.125, upper_bound=0.334)."""

    act_type: str
    slope: float
    lower_bound: float
    upper_bound: float


def parse_leaky_relu(node: Node) -> LeakyReLU:
    act_type = node.attr_str("act_type", "leaky")
    node.check(
        act_type in _LEAKY_TYPES, f"act_type {act_type!r} is not supported ({', '.join(_LEAKY_TYPES)})"
    )
    node.expect_inputs(2 if act_type == "prelu" else 1)
    return LeakyReLU(
        act_type,
        node.attr_float("slope", 0.25),
        node.attr_float("lower_bound", 0.125),
        node.attr_float("upper_bound", 0.334),
    )


def infer_leaky_relu(node: Node, attrs: LeakyReLU, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if attrs.act_type == "rrelu":
        return [data, data], []  # output and the random mask (training only)
    if attrs.act_type != "prelu":
        return [data], []
    gamma = shapes[1]
    return [data], [None, None if gamma == (1,) else (data[1],)]  # one shared slope is legal too


def translate_leaky_relu(node: Node, attrs: LeakyReLU, ctx: ConvertContext) -> list[ov.Output]:
    """leaky: x > 0 ? x : slope * x; prelu: the same with the learned per-channel ``gamma`` input;
    elu: x > 0 ? x : slope * (exp(x) - 1); selu: fixed alpha/lambda; gelu: the erf form;
    rrelu in inference: slope (lower_bound + upper_bound) / 2.
    """
    x = ctx.input(node, 0)
    if attrs.act_type in ("leaky", "rrelu"):
        slope = attrs.slope if attrs.act_type == "leaky" else (attrs.lower_bound + attrs.upper_bound) / 2
        result = opset8.prelu(x, ctx.constant(np.array([slope], np.float32), f"{node.name}/slope"))
    elif attrs.act_type == "prelu":
        result = opset8.prelu(x, ctx.input(node, 1))  # 1-d gamma of size C broadcasts over axis 1
    elif attrs.act_type == "elu":
        result = opset8.elu(x, attrs.slope)
    elif attrs.act_type == "selu":
        result = opset8.selu(
            x,
            ctx.constant(np.array([_SELU_ALPHA], np.float32), f"{node.name}/alpha"),
            ctx.constant(np.array([_SELU_LAMBDA], np.float32), f"{node.name}/lambda"),
        )
    else:  # gelu
        result = opset8.gelu(x, "erf")
    return [ctx.named(result, node.name)]


LEAKY_RELU = OpRecord(parse_leaky_relu, infer_leaky_relu, translate_leaky_relu)
