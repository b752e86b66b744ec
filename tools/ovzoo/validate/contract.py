"""The I/O contract of a converted IR: what a user feeds it and what comes out, per the descriptor."""

from __future__ import annotations

from collections.abc import Sequence

import openvino as ov

from ovzoo.catalog.model import Model, TensorInfo
from ovzoo.tuples import tuple_items
from ovzoo.validate.checks import Check
from ovzoo.vocabulary.spec import ConversionSpec

# Where the converter records what it folded into the IR (rt_info path prefix).
PREPROCESSING_RT_INFO = ("ovzoo", "preprocessing")
DEFAULT_OUTPUT = TensorInfo(name="prob", shape=(1, 1000))


def expected_input(model: Model, spec: ConversionSpec) -> TensorInfo:
    """The input the descriptor promises: input_info when declared, else the converter's arguments."""
    for info in model.input_info:
        if info.name == spec.input_name:
            return TensorInfo(info.name, info.shape or spec.input_shape, info.layout or spec.layout)
    return TensorInfo(spec.input_name, spec.input_shape, spec.layout)


def expected_output(model: Model) -> TensorInfo:
    """The output the descriptor promises (output_info); public descriptors without it get ``prob``."""
    return model.output_info[0] if model.output_info else DEFAULT_OUTPUT


def check_input(ir: ov.Model, expected: TensorInfo, precision: str) -> Check:
    """Input tensor name, element type f32, static shape and layout."""
    limit = f"{expected.name} f32 {_dims(expected.shape)} {expected.layout or ''}".strip()
    port = next((p for p in ir.inputs if expected.name in p.get_names()), None)
    if port is None:
        names = sorted(n for p in ir.inputs for n in p.get_names())
        return Check(
            "contract.input",
            False,
            f"inputs {names}",
            limit,
            f"no input tensor named {expected.name!r}",
            precision,
        )
    shape = port.get_partial_shape()
    element = port.get_element_type().get_type_name()
    layout = ov.layout_helpers.get_layout(port).to_string().strip("[]").replace(",", "")
    measured = f"{expected.name} {element} {shape} {layout or '?'}"
    problems = []
    if port.get_element_type() != ov.Type.f32:
        problems.append(f"element type {element}, expected f32")
    if shape.is_dynamic or tuple(shape.to_shape()) != tuple(expected.shape):
        problems.append(f"shape {shape}, expected {_dims(expected.shape)}")
    if expected.layout and layout != expected.layout:
        problems.append(f"layout {layout or 'not set'}, expected {expected.layout}")
    if len(ir.inputs) != 1:
        problems.append(f"{len(ir.inputs)} inputs, expected 1")
    return Check("contract.input", not problems, measured, limit, "; ".join(problems), precision)


def check_output(ir: ov.Model, expected: TensorInfo, precision: str) -> Check:
    """An output carrying the tensor name from the descriptor, with its shape."""
    limit = f"{expected.name} {_dims(expected.shape)}"
    port = next((p for p in ir.outputs if expected.name in p.get_names()), None)
    if port is None:
        names = [sorted(p.get_names()) for p in ir.outputs]
        return Check(
            "contract.output",
            False,
            f"outputs {names}",
            limit,
            f"no output tensor named {expected.name!r} (outputs are named {names})",
            precision,
        )
    shape = port.get_partial_shape()
    measured = f"{expected.name} {shape}"
    if expected.shape and (shape.is_dynamic or tuple(shape.to_shape()) != tuple(expected.shape)):
        return Check(
            "contract.output",
            False,
            measured,
            limit,
            f"output {expected.name!r} has shape {shape}, expected {_dims(expected.shape)}",
            precision,
        )
    return Check("contract.output", True, measured, limit, "", precision)


def read_preprocessing(ir: ov.Model) -> dict[str, str]:
    """The converter's record of the folded preprocessing ({} when absent)."""
    if not ir.has_rt_info(list(PREPROCESSING_RT_INFO)):
        return {}
    section = ir.get_rt_info(list(PREPROCESSING_RT_INFO)).astype(dict)
    return {key: value.astype(str) for key, value in section.items()}


def check_preprocessing_record(ir: ov.Model, spec: ConversionSpec, precision: str) -> Check:
    """rt_info says the channel flip, mean and scale the descriptor asks for were built in."""
    record = read_preprocessing(ir)
    wanted = {
        "reverse_input_channels": str(spec.reverse_input_channels),
        "mean_values": _numbers(spec.mean),
        "scale_values": _numbers(spec.scale),
    }
    limit = ", ".join(f"{k}={v}" for k, v in wanted.items())
    if not record:
        return Check(
            "contract.preprocessing",
            False,
            "no record",
            limit,
            f"the IR has no rt_info {'/'.join(PREPROCESSING_RT_INFO)}: preprocessing not recorded",
            precision,
        )
    found = {key: _normalise(record.get(key, "missing")) for key in wanted}
    measured = ", ".join(f"{k}={v}" for k, v in found.items())
    wrong = [
        f"{key} is {found[key]}, expected {value}" for key, value in wanted.items() if found[key] != value
    ]
    return Check("contract.preprocessing", not wrong, measured, limit, "; ".join(wrong), precision)


def _dims(shape: Sequence[int]) -> str:
    """A shape written the way OpenVINO prints one: [1,3,224,224]."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def _numbers(values: Sequence[float] | None) -> str:
    return "none" if values is None else ",".join(f"{float(v):.12g}" for v in values)


def _normalise(text: str) -> str:
    """Numbers written by the converter back into the canonical form of :func:`_numbers`."""
    if text in ("none", "missing", "True", "False"):
        return text
    try:
        return _numbers([float(v) for v in tuple_items(text)])
    except ValueError:
        return text
