"""softmax, log_softmax, SoftmaxActivation and SoftmaxOutput (the training head; its label input is dropped)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape, normalized_axis, same_shape
from ovzoo.mxnet.symbol import Node


def parse_softmax_output(node: Node) -> bool:
    """MXNet SoftmaxOutput(data, label; grad_scale=1, ignore_label=-1, multi_output=False, use_ignore=False,
    preserve_shape=False, normalization='null', out_grad=False, smooth_alpha=0): returns multi_output.

    Inference output: softmax over axis 1 with multi_output, else over the last axis (MXNet
    flattens to 2-D keeping the last axis, so preserve_shape changes nothing here). The label only
    matters for training.
    """
    node.expect_inputs(1, 2)
    return node.attr_bool("multi_output", False)


def infer_softmax_output(node: Node, multi_output: bool, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    # measured against MXNet 1.9.1: (N, spatial...) flattened with multi_output, else all but the last axis
    label = (data[0], math.prod(data[2:])) if multi_output else data[:-1]
    known_label = shapes[1] if len(shapes) > 1 else None
    return [data], [None, None if known_label == data else label]  # a label shaped like data is legal


def translate_softmax_output(node: Node, multi_output: bool, ctx: ConvertContext) -> list[ov.Output]:
    axis = 1 if multi_output else len(ctx.input_shape(node, 0)) - 1
    return [ctx.named(opset8.softmax(ctx.input(node, 0), axis), node.name)]


SOFTMAX_OUTPUT = OpRecord(parse_softmax_output, infer_softmax_output, translate_softmax_output)


@dataclass(frozen=True)
class Softmax:
    """MXNet softmax|log_softmax(data, length; axis=-1, temperature=None, dtype=None, use_length=False)."""

    axis: int
    temperature: float


def parse_softmax(node: Node) -> Softmax:
    node.check(not node.attr_bool("use_length", False), "use_length=True is not supported")
    node.expect_inputs(1)
    temperature = (
        1.0 if node.attr_str("temperature", "None") == "None" else node.attr_float("temperature", 1.0)
    )
    node.check(temperature != 0.0, "temperature 0 is not supported")
    return Softmax(node.attr_int("axis", -1), temperature)


def infer_softmax(node: Node, attrs: Softmax, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    normalized_axis(node, attrs.axis, len(data))
    return [data], []


def translate_softmax(node: Node, attrs: Softmax, ctx: ConvertContext) -> list[ov.Output]:
    return [ctx.named(opset8.softmax(_scaled(node, attrs, ctx), _axis(node, attrs, ctx)), node.name)]


def translate_log_softmax(node: Node, attrs: Softmax, ctx: ConvertContext) -> list[ov.Output]:
    return [ctx.named(opset8.log_softmax(_scaled(node, attrs, ctx), _axis(node, attrs, ctx)), node.name)]


def _axis(node: Node, attrs: Softmax, ctx: ConvertContext) -> int:
    return normalized_axis(node, attrs.axis, len(ctx.input_shape(node, 0)))


def _scaled(node: Node, attrs: Softmax, ctx: ConvertContext) -> ov.Output:
    data = ctx.input(node, 0)
    if attrs.temperature != 1.0:
        divisor = ctx.constant(np.array(attrs.temperature, np.float32), f"{node.name}/temperature")
        data = ctx.named(opset8.divide(data, divisor), f"{node.name}/scaled")
    return data


SOFTMAX = OpRecord(parse_softmax, infer_softmax, translate_softmax)
LOG_SOFTMAX = OpRecord(parse_softmax, infer_softmax, translate_log_softmax)


def parse_softmax_activation(node: Node) -> str:
    """MXNet SoftmaxActivation(data; mode='instance'): 'instance' is over the last axis (measured: MXNet
    flattens to 2-D keeping the last axis), 'channel' over axis 1."""
    node.expect_inputs(1)
    mode = node.attr_str("mode", "instance")
    node.check(mode in ("instance", "channel"), f"mode {mode!r} is not supported (instance, channel)")
    return mode


def translate_softmax_activation(node: Node, mode: str, ctx: ConvertContext) -> list[ov.Output]:
    axis = 1 if mode == "channel" else len(ctx.input_shape(node, 0)) - 1
    return [ctx.named(opset8.softmax(ctx.input(node, 0), axis), node.name)]


SOFTMAX_ACTIVATION = OpRecord(parse_softmax_activation, same_shape, translate_softmax_activation)
