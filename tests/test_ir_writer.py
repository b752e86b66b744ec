"""write_ir serialises without ov.save_model's graph copy and still writes the very same files."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8, opset11
from openvino._offline_transformations import apply_moc_transformations

from ovzoo.convert.converter import build_ir_model
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.ir.libstdcxx_sort import libstdcxx_sort
from ovzoo.ir.writer import prepare_for_serialize, write_ir
from ovzoo.ir.xml_stream import NotStreamable, write_streamed
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


def _streamed_and_serialized(model: ov.Model, folder: Path) -> tuple[Path, Path]:
    ov.serialize(model, folder / "serialized.xml")
    write_streamed(model, folder / "streamed.xml", folder / "streamed.bin")
    return folder / "serialized.xml", folder / "streamed.xml"


def _every_op_kind() -> ov.Model:
    """One graph with the ops and attribute kinds ovzoo emits, several outputs, odd names and equal weights."""
    x = _named(opset8.parameter([-1, 4, 8, 8], np.float32, name="x"), "x")  # a dynamic batch
    x.output(0).get_tensor().set_names({"x", "in,put"})  # a name that needs escaping
    x.set_layout(ov.Layout("NCHW"))
    w = np.linspace(-1, 1, 4 * 4 * 3 * 3, dtype=np.float32).reshape(4, 4, 3, 3)
    conv = opset8.convolution(x, opset8.constant(w), [1, 1], [1, 1], [1, 1], [1, 1])
    same = opset8.convolution(conv, opset8.constant(w.copy()), [2, 2], [1, 1], [1, 1], [1, 1], "same_upper")
    grouped = opset8.group_convolution(
        conv, opset8.constant(w.reshape(4, 1, 4, 3, 3)[:, :, :1].copy()), [1, 1], [0, 0], [0, 0], [1, 1]
    )
    bias = opset8.add(grouped, opset8.constant(np.full((1, 4, 1, 1), 0.1, np.float32)))
    act = [
        opset8.relu(bias), opset8.sigmoid(bias), opset8.tanh(bias), opset8.elu(bias, 0.3), opset8.clamp(bias, -0.5, 6.0),
        opset8.gelu(bias, "tanh"), opset8.softplus(bias), opset8.hard_sigmoid(bias, opset8.constant(np.float32(0.2)), opset8.constant(np.float32(0.5))),
        opset8.prelu(bias, opset8.constant(np.full((4, 1, 1), 0.25, np.float32))), opset8.selu(bias, opset8.constant(np.float32(1.67)), opset8.constant(np.float32(1.05))),
        opset8.exp(opset8.negative(opset8.abs(bias))), opset8.sqrt(opset8.abs(bias)), opset8.log(opset8.abs(bias)), opset8.floor(bias), opset8.ceiling(bias),
        opset8.sign(bias), opset8.erf(bias), opset8.maximum(bias, bias), opset8.minimum(bias, bias), opset8.divide(bias, bias), opset8.subtract(bias, bias),
        opset8.multiply(bias, bias), opset8.select(opset8.not_equal(bias, bias), bias, bias),
    ]  # fmt: skip
    joined = opset8.concat(act, 1)
    pooled = opset8.max_pool(joined, [2, 2], [1, 1], [0, 0], [1, 1], [2, 2], "ceil", "same_lower")
    avg = opset8.avg_pool(pooled.output(0), [2, 2], [0, 0], [0, 0], [2, 2], False, "floor", "valid")
    norm = opset8.mvn(avg, opset8.constant(np.array([2, 3], np.int64)), True, 1e-9, "inside_sqrt")
    lrn = opset8.lrn(norm, opset8.constant(np.array([1], np.int64)), 1e-4, 0.75, 1.0, 5)
    l2 = opset8.normalize_l2(lrn, opset8.constant(np.array([1], np.int64)), 1e-12, "add")
    up = opset11.interpolate(
        l2,
        opset8.constant(np.array([2.0, 2.0], np.float32)),
        "cubic",
        "scales",
        axes=opset8.constant(np.array([2, 3], np.int64)),
        cube_coeff=-0.75,
    )
    padded = opset8.pad(
        up,
        opset8.constant(np.array([0, 0, 1, 1], np.int64)),
        opset8.constant(np.array([0, 0, 1, 1], np.int64)),
        "reflect",
    )
    mean = opset8.reduce_mean(padded, opset8.constant(np.array([2, 3], np.int64)), True)
    flat = opset8.reshape(mean, opset8.constant(np.array([0, -1], np.int64)), True)
    fc = opset8.matmul(flat, opset8.constant(np.ones((10, 92), np.float32)), False, True)
    soft = opset8.softmax(fc, 1)
    logsoft = opset8.log_softmax(fc, -1)
    sliced = opset8.slice(
        fc,
        opset8.constant(np.array([0], np.int64)),
        opset8.constant(np.array([4], np.int64)),
        opset8.constant(np.array([1], np.int64)),
        opset8.constant(np.array([1], np.int64)),
    )
    parts = opset8.split(sliced, opset8.constant(np.int64(1)), 2)
    shape = opset8.shape_of(parts.output(0))
    fq = opset8.fake_quantize(
        opset8.transpose(opset8.unsqueeze(parts.output(1), opset8.constant(np.array([0], np.int64))), opset8.constant(np.array([1, 0, 2], np.int64))),
        opset8.constant(np.float32(-1)), opset8.constant(np.float32(1)), opset8.constant(np.float32(-1)), opset8.constant(np.float32(1)), 256,
    )  # fmt: skip
    squeezed = opset8.squeeze(fq, opset8.constant(np.array([0], np.int64)))
    wide = opset8.broadcast(opset8.convert(shape, "i32"), opset8.constant(np.array([3, 2], np.int64)))
    nearest = opset11.interpolate(
        conv,
        opset8.constant(np.array([16, 16], np.int64)),
        "nearest",
        "sizes",
        axes=opset8.constant(np.array([2, 3], np.int64)),
        nearest_mode="floor",
        coordinate_transformation_mode="asymmetric",
    )
    adaptive = opset8.adaptive_avg_pool(nearest, opset8.constant(np.array([1, 1], np.int64)))
    group_deconv = opset8.group_convolution_backprop_data(
        conv,
        opset8.constant(np.ones((4, 1, 1, 3, 3), np.float32)),
        [2, 2],
        output_padding=[1, 1],
        pads_begin=[1, 1],
        pads_end=[1, 1],
    )
    deconv = opset8.convolution_backprop_data(
        same, opset8.constant(np.ones((4, 2, 2, 2), np.float16).astype(np.float32)), [2, 2]
    )
    outputs = [soft, logsoft, squeezed, wide, deconv, adaptive, group_deconv]
    results = [opset8.result(out) for out in outputs]
    for index, result in enumerate(results):
        result.output(0).get_tensor().set_names({f"out{index}"})
    model = ov.Model(results, [x], "every op")
    for index, op in enumerate(model.get_ordered_ops()):
        if op.get_type_name() != "Parameter":
            op.set_friendly_name(f"op{index}<&\"'>")
    model.set_rt_info("a value & <more>", ["ovzoo", "nested key", "leaf"])
    return model


def test_the_streamed_files_are_byte_for_byte_ov_serialize_s(tmp_path: Path) -> None:
    model = _every_op_kind()
    kinds = {op.get_type_name() for op in model.get_ordered_ops()}
    assert len(kinds) > 40  # the case is broad
    serialized, streamed = _streamed_and_serialized(model, tmp_path)
    assert _same_files(serialized, streamed)
    text = streamed.read_text()
    assert 'names="in\\,put,x"' in text and "<dim>-1</dim>" in text and 'cube_coeff="-0.75"' in text
    # the two equal weights are stored once: drop the deduplication and the files differ
    assert (
        text.count(f'size="{4 * 4 * 3 * 3 * 4}"') == 2
        and len({*re.findall(r'offset="(\d+)" size="576"', text)}) == 1
    )


def test_fp16_weights_with_decompression_converts_are_streamed_exactly(tmp_path: Path) -> None:
    model = compress_weights_to_fp16(_every_op_kind(), in_place=True)
    assert any(op.get_type_name() == "Convert" and op.get_rt_info().keys() for op in model.get_ordered_ops())
    assert _same_files(*_streamed_and_serialized(model, tmp_path))


def test_a_converted_model_streams_without_falling_back(tmp_path: Path) -> None:
    tiny_checkpoint(tmp_path / "dl")
    model = tiny_model()
    ir_model = build_ir_model(model, parse_mo_args(model, tmp_path / "dl", tmp_path / "out"))
    for precision in ("FP32", "FP16"):
        if precision == "FP16":
            compress_weights_to_fp16(ir_model, in_place=True)
        prepare_for_serialize(ir_model)
        (tmp_path / precision).mkdir()
        assert _same_files(*_streamed_and_serialized(ir_model, tmp_path / precision))  # raises if it can't


def _unknown_to_the_streamer(kind: str) -> ov.Model:
    x = _named(opset8.parameter([1, 4, 8], np.float32, name="x"), "x")
    if kind == "op":
        y = _named(opset8.einsum([x, x], "abc,abd->acd"), "einsum")  # an op outside VERIFIED_OPS
    else:
        y = _named(opset8.relu(x), "relu")
    model = ov.Model([_named(opset8.result(y), "r0")], [x], "unknown")
    if kind == "node rt_info":
        y.get_rt_info()["note"] = "from Python"  # not a runtime attribute: OpenVINO leaves it out
    if kind == "model rt_info":
        model.set_rt_info(3, ["count"])  # not a string
    if kind == "IR v10":
        model.set_rt_info(10, "version")  # as read from an IR v10: OpenVINO writes v10 again
    return model


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("op", "Einsum"), ("node rt_info", "note"), ("model rt_info", "count"), ("IR v10", "IR version")],
)
def test_what_the_streamer_does_not_know_is_serialised_by_openvino(
    tmp_path: Path, kind: str, reason: str
) -> None:
    with pytest.raises(NotStreamable, match=reason):
        write_streamed(_unknown_to_the_streamer(kind), tmp_path / "s.xml", tmp_path / "s.bin")
    ov.save_model(_unknown_to_the_streamer(kind), tmp_path / "saved.xml", compress_to_fp16=False)
    write_ir(_unknown_to_the_streamer(kind), tmp_path / "written.xml", compress_to_fp16=False)
    assert _same_files(tmp_path / "saved.xml", tmp_path / "written.xml")
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # no temporary folder left behind


def test_outputs_named_only_through_their_producer_stream_exactly_once_prepared(tmp_path: Path) -> None:
    x = _named(opset8.parameter([2, 3], np.float32, name="x"), "x")
    relu = _named(opset8.relu(x), "relu")
    relu.output(0).get_tensor().set_names({"features"})
    results = [_named(opset8.result(relu), "r0"), _named(opset8.result(x), "r1")]
    model = ov.Model(results, [x], "unnamed results")
    # a Result's inherited names look like its own from Python, and OpenVINO writes only its own as
    # output_names: write_ir makes them its own first (as save_model's copy does), and so must a test
    prepare_for_serialize(model)
    serialized, streamed = _streamed_and_serialized(model, tmp_path)
    assert _same_files(serialized, streamed)
    assert 'output_names="features"' in streamed.read_text()


def test_edges_come_in_the_order_of_openvino_s_unstable_sort() -> None:
    items = [(key, index) for index, key in enumerate([3, 1, 2, 1] * 10 + [0] * 7)]
    ordered = libstdcxx_sort(items, key=lambda item: item[0])
    assert [k for k, _ in ordered] == sorted(k for k, _ in items)
    assert ordered != sorted(items, key=lambda item: item[0])  # not what a stable sort gives
