"""Reshapes and axis permutations: Flatten, Reshape (every special code), expand_dims, squeeze, transpose, SwapAxis."""

from __future__ import annotations

import math
from dataclasses import dataclass

import openvino as ov
from openvino import opset8

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import (
    Inferred,
    InputShapes,
    OpRecord,
    Shape,
    data_shape,
    inserted_axis,
    normalized_axis,
)
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
    attrs = Reshape(node.attr_tuple("shape", ()), node.attr_bool("reverse", False))
    if not attrs.shape:
        raise node.format_error("attribute 'shape' is missing or empty")
    return attrs


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
    node.require("axis")
    return node.attr_int("axis", 0)


def infer_expand_dims(node: Node, axis: int, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    axis = inserted_axis(node, axis, len(data))
    return [(*data[:axis], 1, *data[axis:])], []


def translate_expand_dims(node: Node, axis: int, ctx: ConvertContext) -> list[ov.Output]:
    axes = ctx.integers([inserted_axis(node, axis, len(ctx.input_shape(node, 0)))], f"{node.name}/axes")
    return [ctx.named(opset8.unsqueeze(ctx.input(node, 0), axes), node.name)]


EXPAND_DIMS = OpRecord(parse_expand_dims, infer_expand_dims, translate_expand_dims)


def parse_squeeze(node: Node) -> tuple[int, ...] | None:
    """MXNet squeeze(data; axis=None): the axes to drop (None: every axis of size 1)."""
    node.expect_inputs(1)
    return None if node.attr_str("axis", "None") == "None" else node.attr_tuple("axis", ())


def squeezed_axes(node: Node, axis: tuple[int, ...] | None, data: Shape) -> list[int]:
    if axis is None:
        return [i for i, d in enumerate(data) if d == 1]
    axes = sorted({normalized_axis(node, a, len(data)) for a in axis})
    for a in axes:
        if data[a] != 1:
            raise node.format_error(f"axis {a} has size {data[a]}, only size-1 axes can be squeezed")
    return axes


def infer_squeeze(node: Node, axis: tuple[int, ...] | None, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    axes = squeezed_axes(node, axis, data)
    return [tuple(d for i, d in enumerate(data) if i not in axes) or (1,)], []  # never 0-d (MXNet)


def translate_squeeze(node: Node, axis: tuple[int, ...] | None, ctx: ConvertContext) -> list[ov.Output]:
    data = ctx.input(node, 0)
    shape = ctx.input_shape(node, 0)
    axes = squeezed_axes(node, axis, shape)
    if not axes:
        return [data]
    if len(axes) == len(shape):
        result = opset8.reshape(data, ctx.integers([1], f"{node.name}/shape"), special_zero=False)
    else:
        result = opset8.squeeze(data, ctx.integers(axes, f"{node.name}/axes"))
    return [ctx.named(result, node.name)]


SQUEEZE = OpRecord(parse_squeeze, infer_squeeze, translate_squeeze)


def parse_transpose(node: Node) -> tuple[int, ...]:
    """MXNet transpose(data; axes=()): the permutation (empty: reverse the axes)."""
    node.expect_inputs(1)
    return node.attr_tuple("axes", ())


def permutation(node: Node, axes: tuple[int, ...], rank: int) -> list[int]:
    if not axes:
        return list(reversed(range(rank)))
    order = [normalized_axis(node, a, rank, "axes") for a in axes]
    if sorted(order) != list(range(rank)):
        raise node.format_error(f"attribute 'axes': {axes} is not a permutation of {rank} axes")
    return order


def infer_transpose(node: Node, axes: tuple[int, ...], shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    return [tuple(data[i] for i in permutation(node, axes, len(data)))], []


def translate_transpose(node: Node, axes: tuple[int, ...], ctx: ConvertContext) -> list[ov.Output]:
    order = permutation(node, axes, len(ctx.input_shape(node, 0)))
    return [
        ctx.named(opset8.transpose(ctx.input(node, 0), ctx.integers(order, f"{node.name}/order")), node.name)
    ]


TRANSPOSE = OpRecord(parse_transpose, infer_transpose, translate_transpose)


def parse_swap_axis(node: Node) -> tuple[int, int]:
    """MXNet SwapAxis(data; dim1=0, dim2=0) (swapaxes serialises as this): the two axes."""
    node.expect_inputs(1)
    return node.attr_int("dim1", 0), node.attr_int("dim2", 0)


def _swap_order(node: Node, dims: tuple[int, int], rank: int) -> list[int]:
    first, second = (
        normalized_axis(node, d, rank, name) for d, name in zip(dims, ("dim1", "dim2"), strict=True)
    )
    order = list(range(rank))
    order[first], order[second] = second, first
    return order


def infer_swap_axis(node: Node, dims: tuple[int, int], shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    return [tuple(data[i] for i in _swap_order(node, dims, len(data)))], []


def translate_swap_axis(node: Node, dims: tuple[int, int], ctx: ConvertContext) -> list[ov.Output]:
    order = _swap_order(node, dims, len(ctx.input_shape(node, 0)))
    return [
        ctx.named(opset8.transpose(ctx.input(node, 0), ctx.integers(order, f"{node.name}/order")), node.name)
    ]


SWAP_AXIS = OpRecord(parse_swap_axis, infer_swap_axis, translate_swap_axis)
