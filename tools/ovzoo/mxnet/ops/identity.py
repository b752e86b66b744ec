"""Ops that are the identity at inference: Dropout, BlockGrad, _copy (identity), stop_gradient."""

from __future__ import annotations

import openvino as ov

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import OpRecord, same_shape
from ovzoo.mxnet.symbol import Node


def parse_dropout(node: Node) -> None:
    """MXNet Dropout(data; p=0.5, mode='training', axes=(), cudnn_off=False): identity in inference.

    mode='always' drops at inference too (random), which an IR can't reproduce.
    """
    node.expect_inputs(1)
    node.check(
        node.attr_str("mode", "training") == "training" or node.attr_float("p", 0.5) == 0.0,
        "mode='always' (dropout at inference) is not supported",
    )


def pass_through(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
    return [ctx.input(node, 0)]


DROPOUT = OpRecord(parse_dropout, same_shape, pass_through)


def _parse_one_input(node: Node) -> None:
    """MXNet BlockGrad(data) / _copy(data): gradients only, the value passes through."""
    node.expect_inputs(1)


IDENTITY = OpRecord(_parse_one_input, same_shape, pass_through)
