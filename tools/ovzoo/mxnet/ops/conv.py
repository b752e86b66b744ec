"""Convolution, with an optional BatchNorm folded into its weights and bias."""

from __future__ import annotations

from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops.norm import batch_norm_affine
from ovzoo.mxnet.record import Expected, Inferred, InputShapes, OpRecord, Shape, data_shape, spatial
from ovzoo.mxnet.symbol import Node

CHANNEL_FIRST_LAYOUTS = ("None", "NCW", "NCHW", "NCDHW")


@dataclass(frozen=True)
class Convolution:
    """MXNet Convolution(data, weight, bias; kernel, stride=(1,...), dilate=(1,...), pad=(0,...),
    num_filter, num_group=1, no_bias=False, layout=None, workspace, cudnn_tune, cudnn_off)."""

    kernel: Shape
    stride: Shape
    dilate: Shape
    pad: Shape
    num_filter: int
    num_group: int
    no_bias: bool


def check_layout(node: Node) -> None:
    """Refuse a channel-last ``layout`` attribute (the IR is NCHW)."""
    layout = node.attr_str("layout", "None")
    node.check(
        layout in CHANNEL_FIRST_LAYOUTS,
        f"layout {layout!r} is not supported (channel-first only: {', '.join(CHANNEL_FIRST_LAYOUTS[1:])})",
    )


def parse_convolution(node: Node) -> Convolution:
    return _parse_filter_attributes(node, no_bias_default=False)


def _parse_filter_attributes(node: Node, *, no_bias_default: bool) -> Convolution:
    """The attributes Convolution and Deconvolution share (their no_bias defaults differ)."""
    no_bias = node.attr_bool("no_bias", no_bias_default)
    node.expect_inputs(2 if no_bias else 3)
    check_layout(node)
    kernel = node.attr_tuple("kernel", ())
    if not kernel or any(k <= 0 for k in kernel):
        raise node.format_error(f"attribute 'kernel': expected positive sizes, got {kernel}")
    rank = len(kernel)
    attrs = Convolution(
        kernel,
        spatial(node, node.attr_tuple("stride", ()), "stride", 1, rank),
        spatial(node, node.attr_tuple("dilate", ()), "dilate", 1, rank),
        spatial(node, node.attr_tuple("pad", ()), "pad", 0, rank),
        node.attr_int("num_filter", 0),
        node.attr_int("num_group", 1),
        no_bias,
    )
    if min(attrs.stride + attrs.dilate) <= 0 or min(attrs.pad) < 0:
        raise node.format_error(
            f"stride {attrs.stride}, dilate {attrs.dilate}, pad {attrs.pad}: out of range"
        )
    return attrs


def _checked_channels(node: Node, conv: Convolution, data: Shape) -> tuple[int, int, int]:
    """(filters, groups, input channels) once the kernel fits ``data`` and the groups divide both counts."""
    if len(data) != len(conv.kernel) + 2:
        raise node.format_error(f"kernel {conv.kernel} doesn't fit input shape {data}")
    filters, groups, channels = conv.num_filter, conv.num_group, data[1]
    if filters <= 0 or groups <= 0 or channels % groups or filters % groups:
        raise node.format_error(
            f"num_filter={filters}, num_group={groups} don't divide {channels} input channels"
        )
    return filters, groups, channels


def infer_convolution(node: Node, attrs: Convolution, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    filters, groups, channels = _checked_channels(node, attrs, data)
    out = tuple(
        (x + 2 * p - d * (k - 1) - 1) // s + 1
        for x, k, s, d, p in zip(data[2:], attrs.kernel, attrs.stride, attrs.dilate, attrs.pad, strict=True)
    )
    expected: Expected = [None, (filters, channels // groups, *attrs.kernel)]
    if not attrs.no_bias:
        expected.append((filters,))
    return [(data[0], filters, *out)], expected


def translate_convolution(node: Node, attrs: Convolution, ctx: ConvertContext) -> list[ov.Output]:
    """Weight layout (O, I/g, *kernel); grouped convolutions become GroupConvolution with weights
    (g, O/g, I/g, *kernel). A BatchNorm that is this convolution's only consumer is folded in:
    weights scaled per output channel, its shift added as the bias.
    """
    batch_norm = ctx.batch_norm_folded_into(node)
    # folded in place: a second array the size of the weights costs as much as reading them
    weights = ctx.param(node, 1, private=batch_norm is not None)
    rank = len(attrs.kernel)
    stride, dilate, pad = list(attrs.stride), list(attrs.dilate), list(attrs.pad)
    groups = attrs.num_group
    bias = None if attrs.no_bias else ctx.param(node, 2)

    weights_name = ctx.graph.nodes[node.inputs[1].node].name
    if batch_norm is not None:
        scale, shift = batch_norm_affine(batch_norm, ctx)
        weights *= scale.reshape(-1, *(1,) * (rank + 1))
        bias = shift if bias is None else bias * scale + shift
        weights_name = f"{weights_name}/folded_{batch_norm.name}"
    if groups > 1:
        weights = weights.reshape(groups, weights.shape[0] // groups, *weights.shape[1:])  # a view, no copy
    filters = ctx.constant(weights, weights_name)
    data = ctx.input(node, 0)
    if groups > 1:
        conv = opset8.group_convolution(data, filters, stride, pad, pad, dilate)
    else:
        conv = opset8.convolution(data, filters, stride, pad, pad, dilate)
    if bias is None:
        return [ctx.named(conv, node.name)]
    # the MXNet conv's output (before any folded BN) keeps the conv's name: same shape, so the
    # validator finds every layer; the bias Add carries the name of whatever it completes
    ctx.named(conv, node.name if batch_norm is not None else f"{node.name}/convolution")
    bias_constant = ctx.constant(bias.reshape(1, -1, *(1,) * rank), f"{node.name}/bias")
    return [
        ctx.named(opset8.add(conv, bias_constant), batch_norm.name if batch_norm is not None else node.name)
    ]


CONVOLUTION = OpRecord(parse_convolution, infer_convolution, translate_convolution)


@dataclass(frozen=True)
class Deconvolution:
    """MXNet Deconvolution(data, weight, bias; kernel, stride=(1,...), dilate=(1,...), pad=(0,...),
    adj=(0,...), target_shape=(), num_filter, num_group=1, no_bias=True, layout=None, ...).

    no_bias defaults to True here (unlike Convolution). Weight layout (C_in, num_filter/g, *kernel);
    output size (x - 1) * stride - 2 * pad + dilate * (k - 1) + 1 + adj. target_shape is refused.
    """

    conv: Convolution
    adj: Shape


def parse_deconvolution(node: Node) -> Deconvolution:
    node.check(not node.attr_tuple("target_shape", ()), "target_shape is not supported (give pad and adj)")
    conv = _parse_filter_attributes(node, no_bias_default=True)
    adj = spatial(node, node.attr_tuple("adj", ()), "adj", 0, len(conv.kernel))
    if min(adj) < 0 or any(a >= max(s, d) for a, s, d in zip(adj, conv.stride, conv.dilate, strict=True)):
        raise node.format_error(
            f"adj {adj} must be >= 0 and smaller than stride {conv.stride} or dilate {conv.dilate}"
        )
    return Deconvolution(conv, adj)


def infer_deconvolution(node: Node, attrs: Deconvolution, shapes: InputShapes) -> Inferred:
    conv = attrs.conv
    data = data_shape(node, shapes)
    filters, groups, channels = _checked_channels(node, conv, data)
    out = tuple(
        (x - 1) * s - 2 * p + d * (k - 1) + 1 + a
        for x, k, s, d, p, a in zip(
            data[2:], conv.kernel, conv.stride, conv.dilate, conv.pad, attrs.adj, strict=True
        )
    )
    expected: Expected = [None, (channels, filters // groups, *conv.kernel)]
    if not conv.no_bias:
        expected.append((filters,))
    return [(data[0], filters, *out)], expected


def translate_deconvolution(node: Node, attrs: Deconvolution, ctx: ConvertContext) -> list[ov.Output]:
    conv = attrs.conv
    weights = ctx.param(node, 1)
    groups, rank = conv.num_group, len(conv.kernel)
    stride, dilate, pad, adj = list(conv.stride), list(conv.dilate), list(conv.pad), list(attrs.adj)
    weights_name = ctx.graph.nodes[node.inputs[1].node].name
    data = ctx.input(node, 0)
    if groups > 1:  # (C_in, O/g, k) -> (g, C_in/g, O/g, k)
        filters = ctx.constant(
            weights.reshape(groups, weights.shape[0] // groups, *weights.shape[1:]), weights_name
        )
        deconv = opset8.group_convolution_backprop_data(
            data, filters, stride, pads_begin=pad, pads_end=pad, dilations=dilate, output_padding=adj
        )
    else:
        filters = ctx.constant(weights, weights_name)
        deconv = opset8.convolution_backprop_data(
            data, filters, stride, pads_begin=pad, pads_end=pad, dilations=dilate, output_padding=adj
        )
    if conv.no_bias:
        return [ctx.named(deconv, node.name)]
    ctx.named(deconv, f"{node.name}/deconvolution")
    bias = ctx.constant(ctx.param(node, 2).reshape(1, -1, *(1,) * rank), f"{node.name}/bias")
    return [ctx.named(opset8.add(deconv, bias), node.name)]


DECONVOLUTION = OpRecord(parse_deconvolution, infer_deconvolution, translate_deconvolution)
