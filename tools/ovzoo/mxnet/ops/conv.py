"""Convolution, with an optional BatchNorm folded into its weights and bias."""

from __future__ import annotations

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops.norm import batch_norm_affine
from ovzoo.mxnet.symbol import Node

_CHANNEL_FIRST_LAYOUTS = {"None", "NCW", "NCHW", "NCDHW"}


def translate_convolution(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Convolution(data, weight, bias; kernel, stride=(1,...), dilate=(1,...), pad=(0,...),
    num_filter, num_group=1, no_bias=False, layout=None, workspace, cudnn_tune, cudnn_off).

    Weight layout (O, I/g, *kernel); grouped convolutions become GroupConvolution with weights
    (g, O/g, I/g, *kernel). A BatchNorm that is this convolution's only consumer is folded in:
    weights scaled per output channel, its shift added as the bias.
    """
    no_bias = node.attr_bool("no_bias", False)
    node.expect_inputs(2 if no_bias else 3)
    node.check(
        node.attr_str("layout", "None") in _CHANNEL_FIRST_LAYOUTS,
        f"layout {node.attr_str('layout', 'None')!r} is not supported (channel-first only)",
    )
    weights = ctx.param(node, 1)
    rank = weights.ndim - 2
    stride = _per_axis(node, "stride", 1, rank)
    dilate = _per_axis(node, "dilate", 1, rank)
    pad = _per_axis(node, "pad", 0, rank)
    groups = node.attr_int("num_group", 1)
    bias = None if no_bias else ctx.param(node, 2)

    batch_norm = ctx.batch_norm_folded_into(node)
    weights_name = _variable_name(ctx, node, 1)
    if batch_norm is not None:
        scale, shift = batch_norm_affine(batch_norm, ctx)
        weights = weights * scale.reshape(-1, *(1,) * (rank + 1))
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


def _per_axis(node: Node, name: str, default: int, rank: int) -> list[int]:
    values = node.attr_tuple(name, ())
    if not values:
        return [default] * rank
    node.check(len(values) == rank, f"attribute {name!r} has {len(values)} values for a {rank}-d kernel")
    return list(values)


def _variable_name(ctx: ConvertContext, node: Node, slot: int) -> str:
    return ctx.graph.nodes[node.inputs[slot].node].name
