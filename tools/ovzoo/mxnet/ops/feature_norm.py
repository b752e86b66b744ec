"""Normalizations computed from the input itself: InstanceNorm, LayerNorm, GroupNorm (MVN-6) and
L2Normalization (NormalizeL2-1). Variances are the population ones, eps inside the square root."""

from __future__ import annotations

from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, data_shape, normalized_axis
from ovzoo.mxnet.symbol import Node


def _mvn(ctx: ConvertContext, node: Node, data: ov.Output, axes: list[int], eps: float) -> ov.Output:
    normalized = opset8.mvn(data, ctx.integers(axes, f"{node.name}/axes"), True, eps, "inside_sqrt")
    return ctx.named(normalized, f"{node.name}/mvn")


def _affine(ctx: ConvertContext, node: Node, value: ov.Output, shape: list[int]) -> ov.Output:
    """value * gamma + beta, with gamma and beta (inputs 1 and 2) reshaped to broadcast as ``shape``."""
    gamma = ctx.constant(ctx.param(node, 1).reshape(shape), ctx.graph.nodes[node.inputs[1].node].name)
    beta = ctx.constant(ctx.param(node, 2).reshape(shape), ctx.graph.nodes[node.inputs[2].node].name)
    scaled = ctx.named(opset8.multiply(value, gamma), f"{node.name}/scale")
    return opset8.add(scaled, beta)


def parse_instance_norm(node: Node) -> float:
    """MXNet InstanceNorm(data, gamma, beta; eps=0.001): per sample and channel over the spatial axes."""
    node.expect_inputs(3)
    return node.attr_float("eps", 1e-3)


def infer_instance_norm(node: Node, eps: float, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) < 3:
        raise node.format_error(f"expected an input with spatial axes, got shape {data}")
    return [data], [None, (data[1],), (data[1],)]


def translate_instance_norm(node: Node, eps: float, ctx: ConvertContext) -> list[ov.Output]:
    rank = len(ctx.input_shape(node, 0))
    normalized = _mvn(ctx, node, ctx.input(node, 0), list(range(2, rank)), eps)
    return [ctx.named(_affine(ctx, node, normalized, [1, -1, *(1,) * (rank - 2)]), node.name)]


INSTANCE_NORM = OpRecord(parse_instance_norm, infer_instance_norm, translate_instance_norm)


@dataclass(frozen=True)
class LayerNorm:
    """MXNet LayerNorm(data, gamma, beta; axis=-1, eps=1e-5, output_mean_var=False): over one axis."""

    axis: int
    eps: float


def parse_layer_norm(node: Node) -> LayerNorm:
    node.expect_inputs(3)
    node.check(not node.attr_bool("output_mean_var", False), "output_mean_var=True is not supported")
    return LayerNorm(node.attr_int("axis", -1), node.attr_float("eps", 1e-5))


def infer_layer_norm(node: Node, attrs: LayerNorm, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    channels = (data[normalized_axis(node, attrs.axis, len(data))],)
    return [data], [None, channels, channels]


def translate_layer_norm(node: Node, attrs: LayerNorm, ctx: ConvertContext) -> list[ov.Output]:
    shape = ctx.input_shape(node, 0)
    axis = normalized_axis(node, attrs.axis, len(shape))
    normalized = _mvn(ctx, node, ctx.input(node, 0), [axis], attrs.eps)
    broadcast = [1] * len(shape)
    broadcast[axis] = shape[axis]
    return [ctx.named(_affine(ctx, node, normalized, broadcast), node.name)]


LAYER_NORM = OpRecord(parse_layer_norm, infer_layer_norm, translate_layer_norm)


@dataclass(frozen=True)
class GroupNorm:
    """MXNet GroupNorm(data, gamma, beta; num_groups=1, eps=1e-5, output_mean_var=False).

    In MXNet 1.x gamma and beta hold one value per *group* (shape (num_groups,)), not per channel.
    """

    num_groups: int
    eps: float


def parse_group_norm(node: Node) -> GroupNorm:
    node.expect_inputs(3)
    node.check(not node.attr_bool("output_mean_var", False), "output_mean_var=True is not supported")
    attrs = GroupNorm(node.attr_int("num_groups", 1), node.attr_float("eps", 1e-5))
    if attrs.num_groups <= 0:
        raise node.format_error(
            f"attribute 'num_groups': expected a positive integer, got {attrs.num_groups}"
        )
    return attrs


def infer_group_norm(node: Node, attrs: GroupNorm, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) < 2 or data[1] % attrs.num_groups:
        raise node.format_error(f"{attrs.num_groups} groups don't divide the channels of {data}")
    groups = (attrs.num_groups,)
    return [data], [None, groups, groups]


def translate_group_norm(node: Node, attrs: GroupNorm, ctx: ConvertContext) -> list[ov.Output]:
    data = ctx.input(node, 0)
    grouped = opset8.reshape(data, ctx.integers([0, attrs.num_groups, -1], f"{node.name}/grouped"), True)
    ctx.named(grouped, f"{node.name}/group")
    normalized = _affine(ctx, node, _mvn(ctx, node, grouped.output(0), [2], attrs.eps), [1, -1, 1])
    ctx.named(normalized, f"{node.name}/affine")
    return [ctx.named(opset8.reshape(normalized, opset8.shape_of(data), False), node.name)]


GROUP_NORM = OpRecord(parse_group_norm, infer_group_norm, translate_group_norm)


@dataclass(frozen=True)
class L2Normalization:
    """MXNet L2Normalization(data; eps=1e-10, mode='instance'): x / sqrt(sum(x^2) + eps) over every
    axis but the batch ('instance'), over axis 1 ('channel') or over the spatial axes ('spatial')."""

    eps: float
    mode: str


def parse_l2_normalization(node: Node) -> L2Normalization:
    node.expect_inputs(1)
    attrs = L2Normalization(node.attr_float("eps", 1e-10), node.attr_str("mode", "instance"))
    node.check(attrs.mode in ("instance", "channel", "spatial"), f"mode {attrs.mode!r} is not supported")
    return attrs


def infer_l2_normalization(node: Node, attrs: L2Normalization, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) < (3 if attrs.mode == "spatial" else 2):
        raise node.format_error(f"mode {attrs.mode!r} doesn't fit input shape {data}")
    return [data], []


def translate_l2_normalization(node: Node, attrs: L2Normalization, ctx: ConvertContext) -> list[ov.Output]:
    rank = len(ctx.input_shape(node, 0))
    axes = {"instance": range(1, rank), "channel": range(1, 2), "spatial": range(2, rank)}[attrs.mode]
    axes_constant = ctx.integers(list(axes), f"{node.name}/axes")
    return [ctx.named(opset8.normalize_l2(ctx.input(node, 0), axes_constant, attrs.eps, "add"), node.name)]


L2_NORMALIZATION = OpRecord(parse_l2_normalization, infer_l2_normalization, translate_l2_normalization)


@dataclass(frozen=True)
class LRN:
    """MXNet LRN(data; alpha=1e-4, beta=0.75, knorm=2, nsize): x / (knorm + alpha / nsize * sum of x^2
    over nsize neighbouring channels)^beta, which is LRN-1 over axis 1 with bias = knorm."""

    alpha: float
    beta: float
    knorm: float
    nsize: int


def parse_lrn(node: Node) -> LRN:
    node.expect_inputs(1)
    node.require("nsize")
    attrs = LRN(
        node.attr_float("alpha", 1e-4),
        node.attr_float("beta", 0.75),
        node.attr_float("knorm", 2.0),
        node.attr_int("nsize", 0),
    )
    if attrs.nsize <= 0:
        raise node.format_error(f"attribute 'nsize': expected a positive integer, got {attrs.nsize}")
    return attrs


def infer_lrn(node: Node, attrs: LRN, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) < 2:
        raise node.format_error(f"expected an input with channels, got shape {data}")
    return [data], []


def translate_lrn(node: Node, attrs: LRN, ctx: ConvertContext) -> list[ov.Output]:
    axes = ctx.integers([1], f"{node.name}/axes")
    lrn = opset8.lrn(ctx.input(node, 0), axes, attrs.alpha, attrs.beta, attrs.knorm, attrs.nsize)
    return [ctx.named(lrn, node.name)]


LRN_RECORD = OpRecord(parse_lrn, infer_lrn, translate_lrn)
