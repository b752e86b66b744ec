"""write_ir serialises without ov.save_model's graph copy and still writes the very same files."""

from __future__ import annotations

import filecmp
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8
from openvino._offline_transformations import apply_moc_transformations

from ovzoo.convert.converter import build_ir_model
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.ir.writer import write_ir
from ovzoo.vocabulary.spec import parse_mo_args
from support.checkpoints import tiny_checkpoint, tiny_model


def _same_files(a: Path, b: Path) -> bool:
    return all(filecmp.cmp(a.with_suffix(ext), b.with_suffix(ext), shallow=False) for ext in (".xml", ".bin"))


def _named(node: ov.Node, name: str) -> ov.Node:
    node.set_friendly_name(name)  # auto names come from a process-wide counter: never equal twice
    return node


def _outputs_case(kind: str) -> ov.Model:
    """Small graphs whose output naming differs between the original and save_model's clone."""
    x = _named(opset8.parameter([1, 4], np.float32, name="x"), "x")
    x.output(0).get_tensor().set_names({"x"})
    relu = _named(opset8.relu(x), "relu")
    relu.output(0).get_tensor().set_names({"relu_out"})
    if kind == "renamed":  # the converter's case: the output renamed after its producer was named
        results = [_named(opset8.result(relu), "r0")]
    elif kind == "shared":  # one tensor read by two outputs with different names
        results = [_named(opset8.result(relu), "r0"), _named(opset8.result(relu), "r1")]
    else:  # "inherited": an output that takes its producer's names, beside the input itself
        results = [_named(opset8.result(relu), "r0"), _named(opset8.result(x), "r1")]
    model = ov.Model(results, [x], "cases")
    if kind == "renamed":
        model.outputs[0].get_tensor().set_names({"prob"})
    elif kind == "shared":
        model.outputs[0].get_tensor().set_names({"a"})
        model.outputs[1].get_tensor().set_names({"b"})
    else:
        model.outputs[1].get_tensor().set_names({"y"})
    return model


@pytest.mark.parametrize("kind", ["renamed", "shared", "inherited"])
def test_output_names_come_out_as_save_model_writes_them(tmp_path: Path, kind: str) -> None:
    ov.save_model(_outputs_case(kind), tmp_path / "saved.xml", compress_to_fp16=False)
    write_ir(_outputs_case(kind), tmp_path / "written.xml", compress_to_fp16=False)
    assert _same_files(tmp_path / "saved.xml", tmp_path / "written.xml")


@pytest.mark.parametrize("precision", ["FP32", "FP16"])
def test_a_converted_model_is_written_byte_for_byte_as_save_model_writes_it(
    tmp_path: Path, precision: str
) -> None:
    tiny_checkpoint(tmp_path / "dl")
    model = tiny_model()
    ir_model = build_ir_model(model, parse_mo_args(model, tmp_path / "dl", tmp_path / "out"))
    if precision == "FP16":
        compress_weights_to_fp16(ir_model, in_place=True)  # as the converter makes its FP16 IR
    ov.save_model(ir_model, tmp_path / "saved.xml", compress_to_fp16=False)
    write_ir(ir_model, tmp_path / "written.xml", compress_to_fp16=False)
    assert _same_files(tmp_path / "saved.xml", tmp_path / "written.xml")
    # and writing does not change what the model computes or exposes
    assert ov.Core().read_model(tmp_path / "written.xml").outputs[0].get_names() == {"prob"}


def test_fused_names_are_dropped_as_save_model_drops_them(tmp_path: Path) -> None:
    def model() -> ov.Model:
        x = _named(opset8.parameter([1, 4, 8, 8], np.float32, name="x"), "x")
        weights = _named(opset8.constant(np.ones((4, 4, 1, 1), np.float32)), "w")
        conv = _named(opset8.convolution(x, weights, [1, 1], [0, 0], [0, 0], [1, 1]), "conv")
        scale = _named(opset8.constant(np.full((1, 4, 1, 1), 2, np.float32)), "s")
        product = _named(opset8.multiply(conv, scale), "mul")
        fused = ov.Model([_named(opset8.result(product), "r0")], [x], "fused")
        apply_moc_transformations(fused, cf=True)  # fuses the Multiply into the weights, noting fused names
        for index, op in enumerate(fused.get_ordered_ops()):
            op.set_friendly_name(f"op{index}")  # the folded weights got a counter name
        return fused

    ov.serialize(model(), tmp_path / "plain.xml")
    assert "fused_names" in (tmp_path / "plain.xml").read_text()  # the case is real
    ov.save_model(model(), tmp_path / "saved.xml", compress_to_fp16=False)
    write_ir(model(), tmp_path / "written.xml", compress_to_fp16=False)
    assert _same_files(tmp_path / "saved.xml", tmp_path / "written.xml")
