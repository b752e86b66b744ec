"""FP16 IRs: weights stored as f16, but every layer keeps its static shape when read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
from openvino import opset8, opset11

from ovzoo.ir.writer import write_ir


def _upsample_then_conv() -> ov.Model:
    x = opset8.parameter([1, 8, 7, 7], np.float32, name="data")
    scales = opset8.constant(np.array([2, 2], np.float32))
    axes = opset8.constant(np.array([2, 3], np.int64))
    up = opset11.interpolate(
        x,
        scales,
        mode="nearest",
        shape_calculation_mode="scales",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
        axes=axes,
    )
    up.set_friendly_name("upsampling0")
    weights = opset8.constant(np.random.default_rng(0).standard_normal((4, 8, 1, 1)).astype(np.float32))
    conv = opset8.convolution(up, weights, [1, 1], [0, 0], [0, 0], [1, 1])
    return ov.Model([conv], [x])


def test_fp16_ir_keeps_static_shapes_and_f32_scales(tmp_path: Path) -> None:
    write_ir(_upsample_then_conv(), tmp_path / "m.xml", compress_to_fp16=True)
    model = ov.Core().read_model(tmp_path / "m.xml")
    ops = {op.get_friendly_name(): op for op in model.get_ordered_ops()}
    assert ops["upsampling0"].get_output_partial_shape(0).to_shape() == [1, 8, 14, 14]
    constant_types = sorted(
        str(op.get_output_element_type(0))
        for op in model.get_ordered_ops()
        if op.get_type_name() == "Constant"
    )
    assert "<Type: 'float16'>" in constant_types  # the conv weights are compressed
    scales = ops["upsampling0"].input(1).get_source_output().get_node()
    assert scales.get_type_name() == "Constant" and scales.get_output_element_type(0) == ov.Type.f32
    model.reshape({"data": [3, 8, 7, 7]})
    assert model.output(0).get_partial_shape().to_shape() == [3, 4, 14, 14]


def test_fp16_compression_leaves_the_fp32_model_alone(tmp_path: Path) -> None:
    model = _upsample_then_conv()
    write_ir(model, tmp_path / "fp16.xml", compress_to_fp16=True)
    write_ir(model, tmp_path / "fp32.xml", compress_to_fp16=False)
    fp32 = ov.Core().read_model(tmp_path / "fp32.xml")
    assert all(op.get_output_element_type(0) != ov.Type.f16 for op in fp32.get_ordered_ops())
