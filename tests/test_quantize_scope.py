"""INT8 scope: grouped convolutions without a fast INT8 kernel stay in float, through real NNCF and OpenVINO."""

from __future__ import annotations

import logging

import numpy as np
import openvino as ov
import pytest
from openvino import opset8

from ovzoo.catalog.model import Model
from ovzoo.ir.writer import write_ir
from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.symbol import parse_symbol
from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
from ovzoo.quantize.scope import narrow_group_convolutions
from ovzoo.vocabulary.layout import ir_path
from ovzoo.zoo.octave import OCTAVE_FAMILY, build_symbol_json, param_shapes
from support.digits_pipeline import digits_model

SIZE = 32


def _grouped(x, groups: int, in_per_group: int, out_per_group: int, name: str, seed: int):
    weights = np.random.default_rng(seed).standard_normal((groups, out_per_group, in_per_group, 3, 3))
    conv = opset8.group_convolution(
        x, opset8.constant(weights.astype(np.float32) * 0.2), [1, 1], [1, 1], [1, 1], [1, 1]
    )
    conv.set_friendly_name(name)
    return opset8.relu(conv)


def _conv1x1(x, channels_in: int, channels_out: int, seed: int):
    weights = np.random.default_rng(seed).standard_normal((channels_out, channels_in, 1, 1)) * 0.3
    return opset8.relu(
        opset8.convolution(x, opset8.constant(weights.astype(np.float32)), [1, 1], [0, 0], [0, 0], [1, 1])
    )


def tiny_grouped_model() -> ov.Model:
    """3 -> 12 channels, then grouped convs of 4x(3->3), 3x(4->4), depthwise 12, 4x(3->6), and a head."""
    data = opset8.parameter([1, 3, SIZE, SIZE], np.float32, name="data")
    data.output(0).set_names({"data"})
    x = _conv1x1(data, 3, 12, seed=1)
    x = _grouped(x, 4, 3, 3, "narrow", seed=2)
    x = _grouped(x, 3, 4, 4, "wide", seed=3)
    x = _grouped(x, 12, 1, 1, "depthwise", seed=4)
    x = _grouped(x, 4, 3, 6, "narrow_to_wider", seed=5)
    x = _conv1x1(x, 24, 10, seed=6)
    pooled = opset8.reduce_mean(x, opset8.constant(np.array([2, 3], np.int64)), keep_dims=False)
    prob = opset8.softmax(pooled, 1)
    prob.output(0).set_names({"prob"})
    return ov.Model([prob], [data], "tiny-grouped")


def _int8_weights(node) -> bool:
    """NNCF stores quantized weights as an int8 Constant -> Convert -> (Subtract) -> Multiply chain."""
    while node.get_type_name() != "Constant":
        if node.get_type_name() == "FakeQuantize":
            return True
        node = node.input_value(0).get_node()
    return node.get_element_type() in (ov.Type.i8, ov.Type.u8)


def _quantized_inputs(model: ov.Model) -> dict[str, bool]:
    """Per grouped convolution: is its activation fed through FakeQuantize and are its weights int8?"""
    return {
        op.get_friendly_name(): op.input_value(0).get_node().get_type_name() == "FakeQuantize"
        and _int8_weights(op.input_value(1).get_node())
        for op in model.get_ordered_ops()
        if op.get_type_name() == "GroupConvolution"
    }


def test_only_groups_that_are_not_multiples_of_4_channels_are_kept_in_float():
    kept = narrow_group_convolutions(tiny_grouped_model())
    assert [layer.name for layer in kept] == ["narrow", "narrow_to_wider"]
    assert kept[1].reason == "4 groups of 3->6 channels"


@pytest.fixture(scope="module")
def tiny_ir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Model, object]:
    """The tiny model written where `ovzoo convert` would put the digits model's FP32 IR."""
    root = tmp_path_factory.mktemp("tiny")
    model = digits_model()
    write_ir(tiny_grouped_model(), ir_path(root, model, "FP32"), compress_to_fp16=False)
    return model, root


@pytest.mark.parametrize("keep_float", [True, False])
def test_quantize_keeps_narrow_groups_float_unless_told_otherwise(tiny_ir, tmp_path, keep_float):
    model, root = tiny_ir
    # graph_rewrites=False: the scope alone (merging narrow groups to quantize them is tested in test_optimize.py)
    options = QuantizeOptions(
        root,
        tmp_path,
        Calibration("synthetic", 8),
        ("FP32-INT8",),
        keep_slow_layers_float=keep_float,
        graph_rewrites=False,
    )
    [result] = quantize_model(model, options)
    quantized = ov.Core().read_model(result.xml)
    assert _quantized_inputs(quantized) == {
        "narrow": not keep_float,
        "wide": True,
        "depthwise": True,
        "narrow_to_wider": not keep_float,
    }
    assert [layer.name for layer in result.kept_float] == (
        ["narrow", "narrow_to_wider"] if keep_float else []
    )
    recorded = quantized.get_rt_info(["ovzoo", "quantization", "kept_float"]).astype(str)
    assert recorded == ("narrow,narrow_to_wider" if keep_float else "none")
    # the float layers still run between quantized ones
    image = np.random.default_rng(0).uniform(0, 255, (1, 3, SIZE, SIZE)).astype(np.float32)
    prob = ov.Core().compile_model(quantized, "CPU").create_infer_request().infer({0: image})[0]
    assert prob.shape == (1, 10) and abs(float(prob.sum()) - 1) < 1e-4


# the family: which members have grouped convolutions without a fast INT8 kernel (ResNeXt 32x4d at
# alpha 0.25: 32 groups of 3/1 channels in L2, 6/2 in L3; 3 such layers per L2 block, 4 per L3 block)
FAMILY_KEPT_FLOAT = {
    name: 3 * 3 + 4 * 4 if "resnext" in name else 0 for name in OCTAVE_FAMILY if name.startswith("octave-")
}


@pytest.mark.parametrize("name", sorted(FAMILY_KEPT_FLOAT))
def test_family_members_keep_their_narrow_groups_float(name: str) -> None:
    spec = OCTAVE_FAMILY[name]
    graph = parse_symbol(build_symbol_json(spec), name)
    # zero weights: the scope depends on the graph's shapes only
    params = {key.split(":", 1)[1]: np.zeros(shape, np.float32) for key, shape in param_shapes(spec).items()}
    kept = narrow_group_convolutions(convert_graph(graph, params, {"data": spec.input_shape}))
    assert len(kept) == FAMILY_KEPT_FLOAT[name], [layer.name for layer in kept]
    assert all(layer.name.startswith(("L2_", "L3_")) for layer in kept)


@pytest.mark.parametrize("verbose", [False, True])
def test_layers_kept_float_are_one_summary_line_unless_verbose(
    tiny_ir, tmp_path, verbose: bool, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    model, root = tiny_ir
    caplog.set_level(logging.DEBUG if verbose else logging.INFO)
    options = QuantizeOptions(
        root, tmp_path, Calibration("synthetic", 8), ("FP32-INT8",), graph_rewrites=False
    )
    quantize_model(model, options)
    printed = capsys.readouterr()
    nncf_info = [r for r in caplog.records if r.name == "nncf" and "Not adding" in r.getMessage()]
    assert bool(nncf_info) == verbose  # NNCF's per-layer "Not adding ... quantizer" lines
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("ovzoo")]
    summary = [m for m in messages if "2 grouped convolutions kept in float" in m]
    assert len(summary) == 1 and "rt_info" in summary[0]
    assert any("narrow (4 groups of 3->3 channels)" in m for m in messages) == verbose
    assert max(len(line) for line in [*messages, *printed.err.splitlines()]) <= 300
