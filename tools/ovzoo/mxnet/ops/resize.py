"""UpSampling (nearest, integer scale) and _contrib_BilinearResize2D as Interpolate-11."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8, opset11

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.record import Inferred, InputShapes, OpRecord, Shape, data_shape
from ovzoo.mxnet.symbol import Node


@dataclass(frozen=True)
class UpSampling:
    """MXNet UpSampling(*data; scale, sample_type, num_args, num_filter=0, multi_input_mode='concat', workspace).

    Nearest only. With several inputs, each is upsampled to the first one's size times ``scale``
    (its own integer factor) and the results are concatenated on the channels or summed
    (``multi_input_mode``). Bilinear upsampling (a learned deconvolution) is refused.
    """

    scale: int
    sum_inputs: bool


def parse_upsampling(node: Node) -> UpSampling:
    sample_type = node.attr_str("sample_type", "nearest")
    node.check(sample_type == "nearest", f"sample_type {sample_type!r} is not supported (nearest)")
    node.expect_inputs(1, max(1, len(node.inputs)))
    scale = node.attr_int("scale", 1)
    node.check(scale >= 1, f"scale {scale} is not supported (an integer >= 1)")
    mode = node.attr_str("multi_input_mode", "concat")
    node.check(mode in ("concat", "sum"), f"multi_input_mode {mode!r} is not supported (concat, sum)")
    return UpSampling(scale, mode == "sum")


def _factors(node: Node, attrs: UpSampling, shapes: list[Shape]) -> list[tuple[int, ...]]:
    """Each input's integer upsampling factor per spatial axis."""
    first = shapes[0]
    if len(first) < 3:
        raise node.format_error(f"expected an input with spatial axes (N, C, ...), got shape {first}")
    size = [x * attrs.scale for x in first[2:]]
    factors = []
    for slot, shape in enumerate(shapes):
        if (
            len(shape) != len(first)
            or shape[0] != first[0]
            or any(out % x for out, x in zip(size, shape[2:], strict=True))
        ):
            raise node.format_error(f"input {slot} of shape {shape} doesn't upsample to {tuple(size)}")
        factors.append(tuple(out // x for out, x in zip(size, shape[2:], strict=True)))
    return factors


def infer_upsampling(node: Node, attrs: UpSampling, shapes: InputShapes) -> Inferred:
    inputs = [data_shape(node, shapes, slot) for slot in range(len(shapes))]
    _factors(node, attrs, inputs)
    first = inputs[0]
    if attrs.sum_inputs and any(shape[1] != first[1] for shape in inputs):
        raise node.format_error(f"multi_input_mode='sum' needs equal channels, got {inputs}")
    channels = first[1] if attrs.sum_inputs else sum(shape[1] for shape in inputs)
    return [(first[0], channels, *(x * attrs.scale for x in first[2:]))], []


def translate_upsampling(node: Node, attrs: UpSampling, ctx: ConvertContext) -> list[ov.Output]:
    """x[..., i, j] = data[..., i // scale, j // scale], which is Interpolate nearest / asymmetric /
    floor. Scales (not sizes) keep the IR reshapeable."""
    shapes = [ctx.input_shape(node, slot) for slot in range(len(node.inputs))]
    rank = len(shapes[0]) - 2
    axes = ctx.integers(list(range(2, rank + 2)), f"{node.name}/axes")
    resized = []
    for slot, factor in enumerate(_factors(node, attrs, shapes)):
        suffix = "" if slot == 0 else str(slot)
        scales = ctx.shared(np.array(factor, dtype=np.float32), f"{node.name}/scales{suffix}")
        interpolated = opset11.interpolate(
            ctx.input(node, slot),
            scales,
            mode="nearest",
            shape_calculation_mode="scales",
            coordinate_transformation_mode="asymmetric",
            nearest_mode="floor",
            axes=axes,
        )
        resized.append(
            interpolated.output(0)
            if len(shapes) == 1
            else ctx.named(interpolated, f"{node.name}/input{slot}")
        )
    if len(resized) == 1:
        return [ctx.named(resized[0], node.name)]
    if attrs.sum_inputs:
        total = resized[0]
        for value in resized[1:]:
            total = opset8.add(total, value).output(0)
        return [ctx.named(total, node.name)]
    return [ctx.named(opset8.concat(resized, 1), node.name)]


UPSAMPLING = OpRecord(parse_upsampling, infer_upsampling, translate_upsampling)


@dataclass(frozen=True)
class BilinearResize:
    """MXNet _contrib_BilinearResize2D(data, like; height=1, width=1, scale_height=None, scale_width=None,
    mode='size', align_corners=True).

    Output size by mode: 'size' is (height, width), or the input size times a scale where one is
    given (truncated); 'odd_scale' is (x - 1) * scale + 1 for odd x, x * scale for even; 'like' is
    the second input's size; 'to_even_down|up', 'to_odd_down|up' move odd/even sizes by one.
    """

    height: int
    width: int
    scale_height: float | None
    scale_width: float | None
    mode: str
    align_corners: bool


_BILINEAR_MODES = ("like", "odd_scale", "size", "to_even_down", "to_even_up", "to_odd_down", "to_odd_up")


def parse_bilinear_resize(node: Node) -> BilinearResize:
    attrs = BilinearResize(
        node.attr_int("height", 1),
        node.attr_int("width", 1),
        node.attr_optional_float("scale_height"),
        node.attr_optional_float("scale_width"),
        node.attr_str("mode", "size"),
        node.attr_bool("align_corners", True),
    )
    node.check(
        attrs.mode in _BILINEAR_MODES, f"mode {attrs.mode!r} is not supported ({', '.join(_BILINEAR_MODES)})"
    )
    node.expect_inputs(2 if attrs.mode == "like" else 1)
    return attrs


def _resized(attrs: BilinearResize, size: int, target: int, scale: float | None) -> int:
    if attrs.mode == "size":
        return target if scale is None else int(size * scale)
    if attrs.mode == "odd_scale":
        factor = 1.0 if scale is None else scale
        return int((size - 1) * factor + 1) if size % 2 else int(size * factor)
    if attrs.mode == "to_even_down":
        return size - size % 2
    if attrs.mode == "to_even_up":
        return size + size % 2
    if attrs.mode == "to_odd_down":
        return size - 1 + size % 2
    return size + 1 - size % 2  # to_odd_up


def infer_bilinear_resize(node: Node, attrs: BilinearResize, shapes: InputShapes) -> Inferred:
    data = data_shape(node, shapes)
    if len(data) != 4:
        raise node.format_error(f"expected an NCHW input, got shape {data}")
    if attrs.mode == "like":
        like = data_shape(node, shapes, 1)
        if len(like) != 4:
            raise node.format_error(f"expected an NCHW 'like' input, got shape {like}")
        return [(*data[:2], *like[2:])], []
    height = _resized(attrs, data[2], attrs.height, attrs.scale_height)
    width = _resized(attrs, data[3], attrs.width, attrs.scale_width)
    return [(*data[:2], height, width)], []


def translate_bilinear_resize(node: Node, attrs: BilinearResize, ctx: ConvertContext) -> list[ov.Output]:
    """Interpolate-11 linear_onnx to the static output size; align_corners=False is half_pixel with the
    source coordinate clamped at 0 (pytorch_half_pixel)."""
    sizes = ctx.integers(list(ctx.output_shape(node)[2:]), f"{node.name}/sizes")
    axes = ctx.integers([2, 3], f"{node.name}/axes")
    resized = opset11.interpolate(
        ctx.input(node, 0),
        sizes,
        mode="linear_onnx",
        shape_calculation_mode="sizes",
        coordinate_transformation_mode="align_corners" if attrs.align_corners else "pytorch_half_pixel",
        axes=axes,
    )
    return [ctx.named(resized, node.name)]


BILINEAR_RESIZE = OpRecord(parse_bilinear_resize, infer_bilinear_resize, translate_bilinear_resize)
