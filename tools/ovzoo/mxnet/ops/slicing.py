"""Joining and cutting tensors: Concat, slice, slice_axis, slice_like, SliceChannel (split).

Slice bounds follow Python's rules (negative counts from the end, out-of-range clips) and are
resolved against the static input shape into Slice-8 constants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
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


def parse_concat(node: Node) -> int:
    """MXNet Concat(*data; num_args, dim=1): the axis (DenseNet's symbols omit dim, meaning 1)."""
    node.expect_inputs(1, max(1, len(node.inputs)))
    return node.attr_int("dim", 1)


def infer_concat(node: Node, dim: int, shapes: InputShapes) -> Inferred:
    inputs = [data_shape(node, shapes, i) for i in range(len(shapes))]
    first = inputs[0]
    axis = normalized_axis(node, dim, len(first), "dim")
    for slot, shape in enumerate(inputs):
        if len(shape) != len(first) or shape[:axis] + shape[axis + 1 :] != first[:axis] + first[axis + 1 :]:
            raise node.format_error(
                f"input {slot} has shape {shape}, which doesn't concatenate on axis {axis} with {first}"
            )
    return [(*first[:axis], sum(shape[axis] for shape in inputs), *first[axis + 1 :])], []


def translate_concat(node: Node, dim: int, ctx: ConvertContext) -> list[ov.Output]:
    axis = dim % len(ctx.input_shape(node, 0))
    return [ctx.named(opset8.concat(ctx.inputs(node), axis), node.name)]


CONCAT = OpRecord(parse_concat, infer_concat, translate_concat)


@dataclass(frozen=True)
class Window:
    """Per-axis slice bounds resolved against a shape: start, stop, step (Python semantics)."""

    axes: tuple[int, ...]
    start: tuple[int, ...]
    stop: tuple[int, ...]
    step: tuple[int, ...]

    def sizes(self, data: Shape) -> Shape:
        out = list(data)
        for axis, start, stop, step in zip(self.axes, self.start, self.stop, self.step, strict=True):
            out[axis] = len(range(start, stop, step))
        return tuple(out)


def _window(node: Node, data: Shape, bounds: list[tuple[int, int | None, int | None, int | None]]) -> Window:
    """Resolve (axis, begin, end, step) bounds with MXNet's None defaults against ``data``."""
    axes, starts, stops, steps = [], [], [], []
    for axis, begin, end, step in bounds:
        step = 1 if step is None else step
        if step == 0:
            raise node.format_error(f"slice step 0 on axis {axis}")
        start, stop, step = slice(begin, end, step).indices(data[axis])
        axes.append(axis)
        starts.append(start)
        stops.append(stop)
        steps.append(step)
    return Window(tuple(axes), tuple(starts), tuple(stops), tuple(steps))


def _translate_window(node: Node, ctx: ConvertContext, window: Window) -> ov.Output:
    data = ctx.input(node, 0)
    if not window.axes:
        return data
    sliced = opset8.slice(
        data,
        ctx.integers(window.start, f"{node.name}/start"),
        # Slice-8 reads a negative stop from the end: "before the first element" must be below -size
        ctx.integers([stop if stop >= 0 else -(1 << 62) for stop in window.stop], f"{node.name}/stop"),
        ctx.integers(window.step, f"{node.name}/step"),
        ctx.integers(window.axes, f"{node.name}/axes"),
    )
    return ctx.named(sliced, node.name)


A = TypeVar("A")


def windowed(parse: Callable[[Node], A], window: Callable[[Node, A, list[Shape]], Window]) -> OpRecord[A]:
    """The record of a slicing op whose bounds ``window`` resolves from the attributes and input shapes."""

    def infer(node: Node, attrs: A, shapes: InputShapes) -> Inferred:
        inputs = [data_shape(node, shapes, slot) for slot in range(len(shapes))]
        return [window(node, attrs, inputs).sizes(inputs[0])], []

    def translate(node: Node, attrs: A, ctx: ConvertContext) -> list[ov.Output]:
        inputs = [ctx.input_shape(node, slot) for slot in range(len(node.inputs))]
        return [_translate_window(node, ctx, window(node, attrs, inputs))]

    return OpRecord(parse, infer, translate)


@dataclass(frozen=True)
class Slice:
    """MXNet slice(data; begin, end, step=()) (crop serialises as this): None entries take the defaults."""

    begin: tuple[int | None, ...]
    end: tuple[int | None, ...]
    step: tuple[int | None, ...]


def parse_slice(node: Node) -> Slice:
    node.expect_inputs(1)
    attrs = Slice(
        node.attr_optional_tuple("begin"), node.attr_optional_tuple("end"), node.attr_optional_tuple("step")
    )
    if len(attrs.begin) != len(attrs.end) or len(attrs.step) not in (0, len(attrs.begin)):
        raise node.format_error(f"begin {attrs.begin}, end {attrs.end}, step {attrs.step} differ in length")
    return attrs


def _slice_window(node: Node, attrs: Slice, inputs: list[Shape]) -> Window:
    data = inputs[0]
    if len(attrs.begin) > len(data):
        raise node.format_error(f"begin {attrs.begin} has more axes than the input shape {data}")
    steps = attrs.step or (None,) * len(attrs.begin)
    return _window(node, data, list(zip(range(len(data)), attrs.begin, attrs.end, steps, strict=False)))


SLICE = windowed(parse_slice, _slice_window)


@dataclass(frozen=True)
class SliceAxis:
    """MXNet slice_axis(data; axis, begin, end): end may be None (to the end)."""

    axis: int
    begin: int
    end: int | None


def parse_slice_axis(node: Node) -> SliceAxis:
    node.expect_inputs(1)
    node.require("axis", "begin", "end")
    return SliceAxis(node.attr_int("axis", 0), node.attr_int("begin", 0), node.attr_optional_int("end"))


def _slice_axis_window(node: Node, attrs: SliceAxis, inputs: list[Shape]) -> Window:
    data = inputs[0]
    return _window(node, data, [(normalized_axis(node, attrs.axis, len(data)), attrs.begin, attrs.end, 1)])


SLICE_AXIS = windowed(parse_slice_axis, _slice_axis_window)


def parse_slice_like(node: Node) -> tuple[int, ...]:
    """MXNet slice_like(data, shape_like; axes=()): the axes cut to shape_like's size (empty: all)."""
    node.expect_inputs(2)
    return node.attr_tuple("axes", ())


def _slice_like_window(node: Node, axes: tuple[int, ...], inputs: list[Shape]) -> Window:
    data, like = inputs
    if len(like) != len(data) and not axes:
        raise node.format_error(f"shape_like {like} and data {data} differ in rank")
    chosen = [normalized_axis(node, a, len(data), "axes") for a in axes] if axes else list(range(len(data)))
    for axis in chosen:
        if axis >= len(like) or like[axis] > data[axis]:
            raise node.format_error(f"can't cut axis {axis} of {data} to shape_like {like}")
    return _window(node, data, [(axis, 0, like[axis], 1) for axis in chosen])


SLICE_LIKE = windowed(parse_slice_like, _slice_like_window)


@dataclass(frozen=True)
class SliceChannel:
    """MXNet SliceChannel(data; num_outputs, axis=1, squeeze_axis=False) (split serialises as this)."""

    num_outputs: int
    axis: int
    squeeze_axis: bool


def parse_slice_channel(node: Node) -> SliceChannel:
    node.expect_inputs(1)
    attrs = SliceChannel(
        node.attr_int("num_outputs", 0), node.attr_int("axis", 1), node.attr_bool("squeeze_axis", False)
    )
    if attrs.num_outputs <= 0:
        raise node.format_error(
            f"attribute 'num_outputs': expected a positive integer, got {attrs.num_outputs}"
        )
    return attrs


def infer_slice_channel(node: Node, attrs: SliceChannel, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    axis = normalized_axis(node, attrs.axis, len(data))
    if data[axis] % attrs.num_outputs:
        raise node.format_error(f"axis {axis} of {data} doesn't split into {attrs.num_outputs} equal parts")
    if attrs.squeeze_axis and data[axis] != attrs.num_outputs:
        raise node.format_error(f"squeeze_axis needs axis {axis} of {data} to equal num_outputs")
    piece = data[axis] // attrs.num_outputs
    out = (*data[:axis], *(() if attrs.squeeze_axis else (piece,)), *data[axis + 1 :])
    return [out] * attrs.num_outputs, []


def translate_slice_channel(node: Node, attrs: SliceChannel, ctx: ConvertContext) -> list[ov.Output]:
    axis = normalized_axis(node, attrs.axis, len(ctx.input_shape(node, 0)))
    axis_constant = ctx.integers([axis], f"{node.name}/axis")
    split = opset8.split(ctx.input(node, 0), np.int64(axis), attrs.num_outputs)
    if not attrs.squeeze_axis:
        split.set_friendly_name(node.name)
        return list(split.outputs())
    split.set_friendly_name(f"{node.name}/split")
    outputs = []
    for i, piece in enumerate(split.outputs()):
        squeezed = opset8.squeeze(piece, axis_constant)
        outputs.append(ctx.named(squeezed, node.name if i == 0 else f"{node.name}/output{i}"))
    return outputs


SLICE_CHANNEL = OpRecord(parse_slice_channel, infer_slice_channel, translate_slice_channel)


def parse_stack(node: Node) -> int:
    """MXNet stack(*data; axis=0, num_args): the inputs (same shape) joined along a new axis."""
    node.expect_inputs(1, max(1, len(node.inputs)))
    return node.attr_int("axis", 0)


def infer_stack(node: Node, axis: int, shapes: InputShapes) -> Inferred:
    inputs = [data_shape(node, shapes, i) for i in range(len(shapes))]
    if any(shape != inputs[0] for shape in inputs):
        raise node.format_error(f"inputs must share one shape, got {inputs}")
    at = inserted_axis(node, axis, len(inputs[0]))
    return [(*inputs[0][:at], len(inputs), *inputs[0][at:])], []


def translate_stack(node: Node, axis: int, ctx: ConvertContext) -> list[ov.Output]:
    at = inserted_axis(node, axis, len(ctx.input_shape(node, 0)))
    axes = ctx.integers([at], f"{node.name}/axes")
    pieces = [opset8.unsqueeze(value, axes).output(0) for value in ctx.inputs(node)]
    return [ctx.named(opset8.concat(pieces, at), node.name)]


STACK = OpRecord(parse_stack, infer_stack, translate_stack)
