"""Shape-only ops: Flatten, Reshape, Concat, expand_dims, Dropout (identity in inference)."""

from __future__ import annotations

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.shapes import reshape_target
from ovzoo.mxnet.symbol import Node


def translate_flatten(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Flatten(data): (N, d1, d2, ...) -> (N, d1 * d2 * ...)."""
    node.expect_inputs(1)
    target = ctx.integers(
        [0, -1], f"{node.name}/shape"
    )  # batch kept symbolic: the IR reshapes to other batches
    return [ctx.named(opset8.reshape(ctx.input(node, 0), target, special_zero=True), node.name)]


def translate_reshape(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Reshape(data; shape=(), reverse=False, target_shape (deprecated), keep_highest (deprecated)).

    Codes 0 (copy the dim) and -1 (infer) map onto OpenVINO's special_zero Reshape and stay
    batch-generic; -2, -3, -4 and reverse are resolved to a static shape from shape inference.
    """
    node.expect_inputs(1)
    node.check(
        not node.attr_tuple("target_shape", ()), "the deprecated target_shape attribute is not supported"
    )
    codes = node.attr_tuple("shape", ())
    input_rank = len(ctx.input_shape(node, 0))
    generic = (
        not node.attr_bool("reverse", False)
        and all(code >= -1 for code in codes)
        and all(code != 0 or i < input_rank for i, code in enumerate(codes))
    )
    target = list(codes) if generic else list(reshape_target(node, ctx.input_shape(node, 0)))
    shape = ctx.integers(target, f"{node.name}/shape")
    return [ctx.named(opset8.reshape(ctx.input(node, 0), shape, special_zero=True), node.name)]


def translate_concat(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Concat(*data; num_args, dim=1)."""
    node.expect_inputs(1, max(1, len(node.inputs)))
    return [ctx.named(opset8.concat(ctx.inputs(node), node.attr_int("dim", 1)), node.name)]


def translate_dropout(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Dropout(data; p=0.5, mode='training', axes=(), cudnn_off=False): identity in inference.

    mode='always' drops at inference too (random), which an IR can't reproduce.
    """
    node.expect_inputs(1)
    node.check(
        node.attr_str("mode", "training") == "training" or node.attr_float("p", 0.5) == 0.0,
        "mode='always' (dropout at inference) is not supported",
    )
    return [ctx.input(node, 0)]


def translate_expand_dims(node: Node, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet expand_dims(data; axis) (no default): a new axis of size 1 at ``axis`` of the output."""
    node.expect_inputs(1)
    rank = len(ctx.input_shape(node, 0))
    axis = node.attr_int("axis", 0)
    node.check(-rank - 1 <= axis <= rank, f"axis {axis} is out of range for a rank-{rank} input")
    axes = ctx.integers([axis % (rank + 1)], f"{node.name}/axes")
    return [ctx.named(opset8.unsqueeze(ctx.input(node, 0), axes), node.name)]
