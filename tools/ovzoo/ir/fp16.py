"""FP16 weight compression that keeps shape-defining inputs in f32.

``ov.save_model(compress_to_fp16=True)`` also compresses the float ``scales`` input of Interpolate to
f16 + Convert; OpenVINO's shape inference then can't evaluate it when the IR is read back, and every
upsampled layer comes out with dynamic height and width (``[1,768,?,?]``). We run the same
transformation OpenVINO uses and then put those shape inputs back as f32 constants.

While weights are spilled (:mod:`ovzoo.ir.spill`), an in-place compression goes weight by weight:
OpenVINO's pass on the whole model would hold every f16 weight in memory at once, each large f32
weight is instead compressed by the same pass on its own and its f16 twin spilled before the next.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import openvino as ov
import openvino.utils
from openvino import opset8
from openvino._offline_transformations import compress_model_transformation

from ovzoo.ir import spill

# op type -> input ports that define an output shape (never compressed)
SHAPE_INPUTS: dict[str, tuple[int, ...]] = {"Interpolate": (1, 2)}

# readers whose weight inputs OpenVINO never marks precision-sensitive: a constant read only by these
# is compressed the same on its own as in the whole model (tests/test_ir_spill.py compares the files)
_PLAIN_READERS = frozenset(
    {"Add", "Concat", "Convolution", "GroupConvolution", "MatMul", "Multiply", "PRelu", "Subtract"}
)
# values per part of a weight compressed by parts (1 MiB of f32)
PART_VALUES = 1 << 18
# what makes OpenVINO leave a whole model uncompressed (an already quantized or compressed one)
_OPTIMIZED_MARKS = frozenset({"FakeQuantize", "FakeConvert"})


def compress_weights_to_fp16(model: ov.Model, in_place: bool = False) -> ov.Model:
    """``model`` with its float weights stored as f16 (decompressed on load).

    A copy, leaving ``model`` as it was, unless ``in_place``: then ``model`` itself is changed and
    returned, and each f32 weight is freed as its f16 replacement is made (half the memory).
    """
    compressed = model if in_place else model.clone()
    if in_place and spill.active():
        _compress_large_weights_one_by_one(compressed)
    compress_model_transformation(compressed)
    restored: dict[bytes, ov.Output] = {}  # by value: a constant shared before stays shared
    for op in compressed.get_ordered_ops():
        for port in SHAPE_INPUTS.get(op.get_type_name(), ()):
            if port < op.get_input_size():
                _restore_f32_constant(op.input(port), restored)
    return compressed


def _compress_large_weights_one_by_one(model: ov.Model) -> None:
    ops = model.get_ordered_ops()
    if any(op.get_type_name() in _OPTIMIZED_MARKS or _is_compressed_weight(op) for op in ops):
        return  # OpenVINO's pass decides for the whole model
    for op in ops:
        if (
            op.get_type_name() == "Constant"
            and op.get_output_element_type(0) == ov.Type.f32
            and op.get_byte_size() >= spill.MIN_SPILLED_BYTES
            and all(r.get_node().get_type_name() in _PLAIN_READERS for r in op.output(0).get_target_inputs())
        ):
            if not _compress_by_parts(op):
                _compress_whole(op)


def _compressed_alone(constant: ov.Node) -> ov.Node | None:
    """OpenVINO's compression of ``constant`` in a model of its own: the Convert that now replaces it
    for every reader, or None where it stays f32 (mostly out of f16's range)."""
    names = constant.output(0).get_names()
    alone = ov.Model([opset8.result(constant.output(0))], [])
    compress_model_transformation(alone)
    convert = alone.get_results()[0].input_value(0).get_node()
    del alone
    if convert.get_type_name() != "Convert":
        return None
    convert.output(0).get_tensor().set_names(names)  # the Result had named the tensor after itself
    return convert


def _compress_whole(constant: ov.Node) -> None:
    source = constant.get_data()
    convert = _compressed_alone(constant)
    spill.release(source)  # the pass read every page of it
    if convert is not None:
        made = convert.input_value(0).get_node()
        _feed(convert, spill.weight_constant(made.get_data()), made.get_friendly_name())


class _PartKeptF32(Exception):
    """A part of a weight came back uncompressed: the whole weight decides (the 75 % rule)."""


def _compress_by_parts(constant: ov.Node) -> bool:
    """Compress ``constant`` ``PART_VALUES`` values at a time, with only one part in memory; False
    (nothing changed) where it can't be done so.

    Compressing is value by value; what a part can change is the decision to keep the whole weight
    in f32, taken on the share of its values out of f16's range. If no part's share reaches the
    threshold, the whole weight's doesn't; if one does, the whole weight is compressed at once.
    """
    if len(constant.get_rt_info()):
        return False  # rt_info that the Convert would have to carry over
    convert: ov.Node | None = None

    def parts() -> Iterator[np.ndarray]:
        nonlocal convert
        for piece in spill.pieces(constant.get_data(), PART_VALUES):
            alone = ov.op.Constant(piece, shared_memory=True)
            alone.set_friendly_name(constant.get_friendly_name())  # what the first one's Convert is named
            made = _compressed_alone(alone)
            if made is None:
                raise _PartKeptF32
            convert = convert or made  # a Convert as OpenVINO makes it (decompression mark, names)
            yield made.input_value(0).get_node().get_data()

    try:
        halves = spill.keep_parts(tuple(constant.get_shape()), np.dtype(np.float16), parts())
    except _PartKeptF32:
        return False
    assert convert is not None  # (a spilled constant has at least one part)
    _feed(
        convert,
        ov.op.Constant(halves, shared_memory=True),
        convert.input_value(0).get_node().get_friendly_name(),
    )
    convert.output(0).get_tensor().set_names(constant.output(0).get_names())
    ov.utils.replace_node(constant, convert)
    return True


def _feed(convert: ov.Node, twin: ov.Node, name: str) -> None:
    twin.set_friendly_name(name)
    convert.input(0).replace_source_output(twin.output(0))
    convert.validate_and_infer_types()


def _is_compressed_weight(op: ov.Node) -> bool:
    # a low-precision Constant -> Convert, the start of a compressed-weights pattern
    if op.get_type_name() != "Convert":
        return False
    source = op.input_value(0).get_node()
    return source.get_type_name() == "Constant" and not source.get_output_element_type(0).is_real()


def _restore_f32_constant(target: ov.Input, restored: dict[bytes, ov.Output]) -> None:
    convert = target.get_source_output().get_node()
    if convert.get_type_name() != "Convert":
        return
    source = convert.input(0).get_source_output().get_node()
    if source.get_type_name() != "Constant":
        return
    values = source.get_data().astype(np.float32)
    key = repr(values.shape).encode() + values.tobytes()
    if key not in restored:
        constant = opset8.constant(values)
        constant.set_friendly_name(source.get_friendly_name())
        restored[key] = constant.output(0)
    target.replace_source_output(restored[key])
