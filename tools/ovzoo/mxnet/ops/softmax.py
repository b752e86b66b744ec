"""softmax, SoftmaxActivation and SoftmaxOutput (the training head; its label input is dropped)."""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.symbol import Node


def translate_softmax_output(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet SoftmaxOutput(data, label; grad_scale=1, ignore_label=-1, multi_output=False, use_ignore=False,
    preserve_shape=False, normalization='null', out_grad=False, smooth_alpha=0).

    Inference output: softmax over axis 1 with multi_output, else over the last axis (MXNet
    flattens to 2-D keeping the last axis, so preserve_shape changes nothing here). The label only
    matters for training.
    """
    node.expect_inputs(1, 2)
    data = ctx.input(node, 0)
    if node.attr_bool("multi_output", False):
        return [ctx.named(opset8.softmax(data, 1), node.name)]
    return [ctx.named(opset8.softmax(data, len(ctx.input_shape(node, 0)) - 1), node.name)]


def translate_softmax(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet softmax(data, length; axis=-1, temperature=None, dtype=None, use_length=False)."""
    node.check(not node.attr_bool("use_length", False), "use_length=True is not supported")
    node.expect_inputs(1)
    data = ctx.input(node, 0)
    temperature = node.attr_str("temperature", "None")
    if temperature != "None" and node.attr_float("temperature", 1.0) != 1.0:
        divisor = ctx.constant(
            np.array(node.attr_float("temperature", 1.0), np.float32), f"{node.name}/temperature"
        )
        data = ctx.named(opset8.divide(data, divisor), f"{node.name}/scaled")
    axis = node.attr_int("axis", -1)
    rank = len(ctx.input_shape(node, 0))
    node.check(-rank <= axis < rank, f"axis {axis} is out of range for rank {rank}")
    return [ctx.named(opset8.softmax(data, axis % rank), node.name)]


def translate_softmax_activation(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet SoftmaxActivation(data; mode='instance'): 'instance' is over the last axis (measured: MXNet
    flattens to 2-D keeping the last axis), 'channel' over axis 1."""
    node.expect_inputs(1)
    mode = node.attr_str("mode", "instance")
    node.check(mode in ("instance", "channel"), f"mode {mode!r} is not supported (instance, channel)")
    axis = 1 if mode == "channel" else len(ctx.input_shape(node, 0)) - 1
    return [ctx.named(opset8.softmax(ctx.input(node, 0), axis), node.name)]
