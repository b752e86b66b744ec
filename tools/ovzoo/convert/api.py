"""``ovzoo.convert_model()``: an MXNet checkpoint -> ``ov.Model`` in one call.

Modelled on ``openvino.convert_model`` and the Model Optimizer's Python ``convert_model``: keyword
arguments with the ``mo`` flags' names and meaning, Python values or ``mo``'s strings. The values are
spelled as ``mo`` arguments and go through the same parser as ``ovzoo convert --input_model``, so the
API and the command line can't drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from os import PathLike
from typing import TypeAlias

import openvino as ov

from ovzoo.convert.checkpoint import build_checkpoint_model
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.vocabulary.spec import parse_mo_command_line

Shape: TypeAlias = str | Sequence[int] | ov.Shape | ov.PartialShape
Values: TypeAlias = str | float | Sequence[float] | Mapping[str, Sequence[float]]


def convert_model(
    input_model: str | PathLike[str],
    *,
    input_symbol: str | PathLike[str] | None = None,
    input: str | Sequence[str] | Sequence[tuple[str, Shape]] | Mapping[str, Shape] | None = None,  # noqa: A002  (mo's name)
    input_shape: Shape | Sequence[Shape] | None = None,
    batch: int | None = None,
    mean_values: Values | None = None,
    scale_values: Values | None = None,
    scale: float | None = None,
    reverse_input_channels: bool = False,
    layout: str | Mapping[str, str] | None = None,
    output: str | Sequence[str] | None = None,
    model_name: str | None = None,
    compress_to_fp16: bool = False,
    graph_rewrites: bool = True,
) -> ov.Model:
    """Convert ``<prefix>-<epoch>.params`` (and ``<prefix>-symbol.json`` beside it) to an ``ov.Model``.

    Arguments mean what the ``mo`` flags of the same name meant, e.g.
    ``convert_model("resnet-0000.params", input_shape=[1, 3, 224, 224], mean_values=[123.7, 116.3, 103.5],
    scale_values=[58.4, 57.1, 57.4], reverse_input_channels=True)``. The result goes straight to
    ``ov.save_model`` or ``core.compile_model``. Its weights are f32 unless ``compress_to_fp16``
    (``ov.save_model`` compresses them itself unless told ``compress_to_fp16=False``).
    ``graph_rewrites=False`` skips ovzoo's measured speed rewrites (``ovzoo convert --no_graph_rewrites``).

    Raises:
        ovzoo.errors.OvzooError: bad arguments, missing or malformed files, untranslatable ops; the
            message names the file and the argument or node.
    """
    arguments = ["--input_model", str(input_model)]
    flags: dict[str, str | None] = {
        "--input_symbol": None if input_symbol is None else str(input_symbol),
        "--input": _input_text(input),
        "--input_shape": _shapes_text(input_shape),
        "--batch": None if batch is None else str(batch),
        "--mean_values": _values_text(mean_values),
        "--scale_values": _values_text(scale_values),
        "--scale": None if scale is None else repr(float(scale)),
        "--layout": _layout_text(layout),
        "--output": output if output is None or isinstance(output, str) else ",".join(output),
        "--model_name": model_name,
    }
    arguments += [f"{flag}={value}" for flag, value in flags.items() if value is not None]
    if reverse_input_channels:
        arguments.append("--reverse_input_channels")
    spec, _ = parse_mo_command_line(arguments)
    model = build_checkpoint_model(spec, graph_rewrites)
    return compress_weights_to_fp16(model) if compress_to_fp16 else model


def _shape_text(shape: Shape) -> str:
    if isinstance(shape, str):
        return shape
    return "[" + ",".join(str(d) for d in shape) + "]"


def _is_shape(value: object) -> bool:
    return isinstance(value, (ov.Shape, ov.PartialShape)) or (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(hasattr(d, "__index__") for d in value)
    )


def _shapes_text(shapes: Shape | Sequence[Shape] | None) -> str | None:
    if shapes is None or isinstance(shapes, str):
        return shapes
    if _is_shape(shapes):
        return _shape_text(shapes)
    return ",".join(_shape_text(s) for s in shapes)


def _input_text(
    value: str | Sequence[str] | Sequence[tuple[str, Shape]] | Mapping[str, Shape] | None,
) -> str | None:
    if value is None or isinstance(value, str):
        return value
    items: Iterable[str | tuple[str, Shape]] = value.items() if isinstance(value, Mapping) else value
    parts = []
    for item in items:
        if isinstance(item, str):
            parts.append(item)
        else:
            name, shape = item
            parts.append(f"{name}{_shape_text(shape)}")
    return ",".join(parts)


def _numbers_text(values: str | float | Sequence[float]) -> str:
    if isinstance(values, str):
        return values
    if isinstance(values, (int, float)):
        return f"[{float(values)!r}]"
    return "[" + ",".join(repr(float(v)) for v in values) + "]"


def _values_text(values: Values | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    if isinstance(values, Mapping):
        return ",".join(f"{name}{_numbers_text(v)}" for name, v in values.items())
    return _numbers_text(values)


def _layout_text(layout: str | Mapping[str, str] | None) -> str | None:
    if layout is None or isinstance(layout, str):
        return layout
    return ",".join(f"{name}({value})" for name, value in layout.items())


__all__ = ["convert_model"]
