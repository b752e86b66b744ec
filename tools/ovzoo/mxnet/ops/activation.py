"""Activation (relu, sigmoid, tanh, softrelu, softsign) and LeakyReLU (leaky, prelu, elu, selu, gelu, rrelu)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
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

# MXNet's SELU constants (src/operator/leaky_relu-inl.h)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_LAMBDA = 1.0507009873554804934193349852946


def translate_activation(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Activation(data; act_type) with act_type relu|sigmoid|tanh|softrelu|softsign (no default)."""
    node.expect_inputs(1)
    act_type = node.attr_str("act_type", "")
    node.check(
        act_type in _ACTIVATIONS, f"act_type {act_type!r} is not supported ({', '.join(_ACTIVATIONS)})"
    )
    return [ctx.named(_ACTIVATIONS[act_type](ctx.input(node, 0), node.name), node.name)]


def translate_leaky_relu(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet LeakyReLU(data, gamma; act_type='leaky', slope=0.25, lower_bound=0.125, upper_bound=0.334).

    leaky: x > 0 ? x : slope * x; prelu: the same with the learned per-channel ``gamma`` input;
    elu: x > 0 ? x : slope * (exp(x) - 1); selu: fixed alpha/lambda; gelu: the erf form;
    rrelu in inference: slope (lower_bound + upper_bound) / 2.
    """
    act_type = node.attr_str("act_type", "leaky")
    node.expect_inputs(2 if act_type == "prelu" else 1)
    x = ctx.input(node, 0)
    slope = node.attr_float("slope", 0.25)
    if act_type == "leaky":
        result = opset8.prelu(x, ctx.constant(np.array([slope], np.float32), f"{node.name}/slope"))
    elif act_type == "rrelu":
        middle = (node.attr_float("lower_bound", 0.125) + node.attr_float("upper_bound", 0.334)) / 2
        result = opset8.prelu(x, ctx.constant(np.array([middle], np.float32), f"{node.name}/slope"))
    elif act_type == "prelu":
        result = opset8.prelu(x, ctx.input(node, 1))  # 1-d gamma of size C broadcasts over axis 1
    elif act_type == "elu":
        result = opset8.elu(x, slope)
    elif act_type == "selu":
        result = opset8.selu(
            x,
            ctx.constant(np.array([_SELU_ALPHA], np.float32), f"{node.name}/alpha"),
            ctx.constant(np.array([_SELU_LAMBDA], np.float32), f"{node.name}/lambda"),
        )
    elif act_type == "gelu":
        result = opset8.gelu(x, "erf")
    else:
        node.check(False, f"act_type {act_type!r} is not supported (leaky, prelu, elu, selu, gelu, rrelu)")
    return [ctx.named(result, node.name)]
