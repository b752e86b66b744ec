"""Reshapes: Flatten, Reshape (every special code), expand_dims."""

from __future__ import annotations

import math
from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, Shape, data_shape
from ovzoo.mxnet.symbol import Node


def _parse_one_input(node: Node) -> None:
    node.expect_inputs(1)


def infer_flatten(node: Node, attrs: None, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    return [(data[0], math.prod(data[1:]))], []


def translate_flatten(node: Node, attrs: None, ctx: ConvertContext) -> list[ov.Output]:
    """MXNet Flatten(data): (N, d1, d2, ...) -> (N, d1 * d2 * ...)."""
    # batch kept symbolic: the IR reshapes to other batches
    target = ctx.integers([0, -1], f"{node.name}/shape")
    return [ctx.named(opset8.reshape(ctx.input(node, 0), target, special_zero=True), node.name)]


FLATTEN = OpRecord(_parse_one_input, infer_flatten, translate_flatten)


@dataclass(frozen=True)
class Reshape:
    """MXNet Reshape(data; shape=(), reverse=False, target_shape (deprecated), keep_highest (deprecated)).

    Codes: 0 copies the input dim, -1 infers one dim, -2 copies all remaining dims, -3 merges two
    consecutive dims, -4 splits one dim into the two values that follow it (one may be -1).
    reverse=True matches the codes from the right.
    """

    shape: tuple[int, ...]
    reverse: bool


def parse_reshape(node: Node) -> Reshape:
    node.expect_inputs(1)
    node.check(
        not node.attr_tuple("target_shape", ()), "the deprecated target_shape attribute is not supported"
    )
    return Reshape(node.attr_tuple("shape", ()), node.attr_bool("reverse", False))


def reshape_target(node: Node, attrs: Reshape, data: Shape) -> Shape:
    """MXNet Reshape's output shape for input ``data``, with its special codes 0, -1, -2, -3, -4.

    Raises:
        FormatError: the codes don't fit the input or the element counts differ.
    """
    codes = list(attrs.shape)
    reverse = attrs.reverse
    source = list(reversed(data)) if reverse else list(data)
    if reverse:  # -4 takes its two following values in order, so reverse pairs along with the rest
        codes = _reverse_codes(codes)
    out: list[int] = []
    i = j = 0  # i reads source dims, j reads codes
    infer_at = -1
    try:
        while j < len(codes):
            code = codes[j]
            if code > 0:
                out.append(code)
                i += 1
            elif code == 0:
                out.append(source[i])
                i += 1
            elif code == -1:
                if infer_at >= 0:
                    raise node.format_error(f"attribute 'shape': more than one -1 in {codes}")
                infer_at = len(out)
                out.append(1)
                i += 1
            elif code == -2:
                out.extend(source[i:])
                i = len(source)
            elif code == -3:
                out.append(source[i] * source[i + 1])
                i += 2
            elif code == -4:
                first, second = codes[j + 1], codes[j + 2]
                if first == -1:
                    first = source[i] // second
                if second == -1:
                    second = source[i] // first
                if first * second != source[i]:
                    raise node.format_error(f"attribute 'shape': -4 split {first}x{second} of {source[i]}")
                out += [first, second]
                i += 1
                j += 2
            else:
                raise node.format_error(f"attribute 'shape': unknown code {code}")
            j += 1
    except IndexError:
        raise node.format_error(f"attribute 'shape': {codes} doesn't fit input shape {data}") from None
    total = math.prod(data)
    if infer_at >= 0:
        rest = math.prod(out)
        if rest == 0 or total % rest:
            raise node.format_error(f"attribute 'shape': can't infer -1 in {codes} for input shape {data}")
        out[infer_at] = total // rest
    if math.prod(out) != total:
        raise node.format_error(
            f"attribute 'shape': {codes} gives {tuple(out)}, which doesn't hold input {data}"
        )
    return tuple(reversed(out)) if reverse else tuple(out)


def _reverse_codes(codes: list[int]) -> list[int]:
    groups: list[list[int]] = []
    j = 0
    while j < len(codes):
        size = 3 if codes[j] == -4 else 1
        groups.append(codes[j : j + size])
        j += size
    return [c for group in reversed(groups) for c in group]


def infer_reshape(node: Node, attrs: Reshape, shapes: InputShapes) -> Inferred:
    return [reshape_target(node, attrs, data_shape(node, shapes))], []


def translate_reshape(node: Node, attrs: Reshape, ctx: ConvertContext) -> list[ov.Output]:
    """Codes 0 (copy the dim) and -1 (infer) map onto OpenVINO's special_zero Reshape and stay
    batch-generic; -2, -3, -4 and reverse are resolved to a static shape from shape inference."""
    codes = attrs.shape
    input_rank = len(ctx.input_shape(node, 0))
    generic = (
        not attrs.reverse
        and all(code >= -1 for code in codes)
        and all(code != 0 or i < input_rank for i, code in enumerate(codes))
    )
    target = list(codes) if generic else list(ctx.output_shape(node))
    shape = ctx.integers(target, f"{node.name}/shape")
    return [ctx.named(opset8.reshape(ctx.input(node, 0), shape, special_zero=True), node.name)]


RESHAPE = OpRecord(parse_reshape, infer_reshape, translate_reshape)


def parse_expand_dims(node: Node) -> int:
    """MXNet expand_dims(data; axis) (no default): a new axis of size 1 at ``axis`` of the output."""
    node.expect_inputs(1)
    if "axis" not in node.attrs:
        raise node.format_error("attribute 'axis' is required")
    return node.attr_int("axis", 0)


def _expand_axis(node: Node, axis: int, rank: int) -> int:
    if not -rank - 1 <= axis <= rank:
        raise node.format_error(f"attribute 'axis': {axis} is out of range for a rank-{rank} input")
    return axis % (rank + 1)


def infer_expand_dims(node: Node, axis: int, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    axis = _expand_axis(node, axis, len(data))
    return [(*data[:axis], 1, *data[axis:])], []


def translate_expand_dims(node: Node, axis: int, ctx: ConvertContext) -> list[ov.Output]:
    axes = ctx.integers([_expand_axis(node, axis, len(ctx.input_shape(node, 0)))], f"{node.name}/axes")
    return [ctx.named(opset8.unsqueeze(ctx.input(node, 0), axes), node.name)]


EXPAND_DIMS = OpRecord(parse_expand_dims, infer_expand_dims, translate_expand_dims)
