"""FP16 weight compression that keeps shape-defining inputs in f32.

``ov.save_model(compress_to_fp16=True)`` also compresses the float ``scales`` input of Interpolate to
f16 + Convert; OpenVINO's shape inference then can't evaluate it when the IR is read back, and every
upsampled layer comes out with dynamic height and width (``[1,768,?,?]``). We run the same
transformation OpenVINO uses and then put those shape inputs back as f32 constants.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset8
from openvino._offline_transformations import compress_model_transformation

# op type -> input ports that define an output shape (never compressed)
SHAPE_INPUTS: dict[str, tuple[int, ...]] = {"Interpolate": (1, 2)}


def compress_weights_to_fp16(model: ov.Model, in_place: bool = False) -> ov.Model:
    """``model`` with its float weights stored as f16 (decompressed on load).

    A copy, leaving ``model`` as it was, unless ``in_place``: then ``model`` itself is changed and
    returned, and each f32 weight is freed as its f16 replacement is made (half the memory).
    """
    compressed = model if in_place else model.clone()
    compress_model_transformation(compressed)
    restored: dict[bytes, ov.Output] = {}  # by value: a constant shared before stays shared
    for op in compressed.get_ordered_ops():
        for port in SHAPE_INPUTS.get(op.get_type_name(), ()):
            if port < op.get_input_size():
                _restore_f32_constant(op.input(port), restored)
    return compressed


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
