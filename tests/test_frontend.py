"""The front end as a whole: a mini octave network vs MXNet, IR quality (folding, opsets, names), errors."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

from ovzoo.errors import ConversionError, FormatError, UnsupportedOpsError
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.mxnet.frontend import convert_graph, plan_batch_norm_folding
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.params import ParamsFile, load_params, strip_prefixes
from ovzoo.mxnet.reference import MXNetReference
from ovzoo.mxnet.symbol import load_symbol, parse_symbol
from support.mini_octave import INPUT_SHAPE, build_mini_octave
from support.mxnet_graphs import F32_CONFIG, mx, mxnet_forward, openvino_forward, random_inputs, random_params

SHAPES = {"data": INPUT_SHAPE}


@pytest.fixture(scope="module")
def mini() -> tuple[object, dict[str, np.ndarray]]:
    sym = build_mini_octave()
    return sym, random_params(sym, SHAPES, seed=3)


@pytest.fixture(scope="module")
def mini_checkpoint(tmp_path_factory, mini) -> Path:
    """The mini network saved by MXNet itself (checkpoint-0-symbol.json, checkpoint-0-0000.params)."""
    sym, params = mini
    prefix = tmp_path_factory.mktemp("mini") / "checkpoint-0"
    aux_names = set(sym.list_auxiliary_states())
    arg = {k: mx.nd.array(v) for k, v in params.items() if k not in aux_names}
    aux = {k: mx.nd.array(v) for k, v in params.items() if k in aux_names}
    mx.model.save_checkpoint(str(prefix), 0, sym, arg, aux)
    return prefix


def test_mini_octave_network_matches_mxnet_logits_and_probs(mini_checkpoint: Path) -> None:
    prefix = str(mini_checkpoint)
    graph = load_symbol(Path(f"{prefix}-symbol.json"))
    params = strip_prefixes(load_params(Path(f"{prefix}-0000.params")))
    batch = random_inputs(SHAPES, seed=5)["data"] * 50.0  # image-like range
    reference = MXNetReference.load(Path(f"{prefix}-symbol.json"), Path(f"{prefix}-0000.params"), INPUT_SHAPE)
    expected = reference.forward(batch)

    model = convert_graph(graph, params, SHAPES, outputs=["classifier", "softmax"])
    logits, prob = openvino_forward(model, {"data": batch})

    assert reference.logits_name == "classifier_output"
    np.testing.assert_allclose(logits, expected.logits, rtol=0, atol=1e-3)
    np.testing.assert_allclose(prob, expected.prob, rtol=0, atol=1e-4)
    assert (prob.argmax(1) == expected.prob.argmax(1)).all()
    assert np.ptp(expected.logits) > 1.0  # the comparison is not between near-constant outputs


def test_ir_folds_batch_norm_and_keeps_to_old_opsets(mini) -> None:
    sym, params = mini
    graph = parse_symbol(sym.tojson(), "mini-symbol.json")
    model = convert_graph(graph, params, SHAPES)
    ops = Counter(op.get_type_name() for op in model.get_ops())
    mxnet_ops = Counter(node.op for node in graph.op_nodes)

    folded = plan_batch_norm_folding(graph, params)
    assert [graph.nodes[i].name for i in folded] == [
        "conv1_conv"
    ]  # the stem; the rest are pre-activation BNs
    assert "BatchNormInference" not in ops
    assert ops["Multiply"] == mxnet_ops["BatchNorm"] - len(folded)  # one Multiply+Add per unfolded BN
    assert ops["Convolution"] + ops["GroupConvolution"] == mxnet_ops["Convolution"]
    assert ops["Interpolate"] == mxnet_ops["UpSampling"]
    for op in model.get_ops():
        version = op.get_type_info().version_id
        allowed = (
            ("opset11",) if op.get_type_name() == "Interpolate" else tuple(f"opset{i}" for i in range(1, 9))
        )
        assert version in allowed, (op.get_type_name(), version)


def test_repeated_upsampling_operands_are_one_constant_each(mini) -> None:
    """Every Interpolate reads the same scales and axes: one Constant each, not one per layer (memory)."""
    sym, params = mini
    model = convert_graph(parse_symbol(sym.tojson(), "mini-symbol.json"), params, SHAPES)
    resizes = [op for op in model.get_ops() if op.get_type_name() == "Interpolate"]
    assert len(resizes) >= 2
    for port in (1, 2):  # scales, axes
        sources = {op.input_value(port).get_node().get_instance_id() for op in resizes}
        assert len(sources) == 1, sources
    fp16 = compress_weights_to_fp16(model)
    scales = {
        op.input_value(1).get_node().get_instance_id(): op.input_value(1).get_node()
        for op in fp16.get_ops()
        if op.get_type_name() == "Interpolate"
    }
    assert len(scales) == 1  # still shared once the FP16 compression has put them back to f32
    assert all(c.get_output_element_type(0) == ov.Type.f32 for c in scales.values())


def test_every_mxnet_node_is_findable_by_friendly_name(mini) -> None:
    sym, params = mini
    graph = parse_symbol(sym.tojson(), "mini-symbol.json")
    model = convert_graph(graph, params, SHAPES)
    names = {op.get_friendly_name(): op for op in model.get_ops()}
    from ovzoo.mxnet.shapes import infer_shapes

    shapes = infer_shapes(graph, SHAPES, params)
    for node in graph.op_nodes:
        assert node.name in names, node.name
        assert tuple(names[node.name].get_output_partial_shape(0).to_shape()) == shapes[node.name][0], (
            node.name
        )
    assert names["conv1_bn"].get_type_name() == "Add"  # folded BN: the bias Add carries its name


def test_input_and_output_naming(mini) -> None:
    sym, params = mini
    model = convert_graph(parse_symbol(sym.tojson(), "mini-symbol.json"), params, SHAPES)
    (parameter,) = model.get_parameters()
    assert parameter.get_friendly_name() == "data" and model.input().get_names() == {"data"}
    assert parameter.get_element_type() == ov.Type.f32
    assert tuple(parameter.get_partial_shape().to_shape()) == INPUT_SHAPE
    assert "softmax" in model.output().get_names()
    assert model.output().get_node().input_value(0).get_node().get_friendly_name() == "softmax"
    assert "softmax_label" not in {p.get_friendly_name() for p in model.get_parameters()}


def test_ir_reshapes_to_another_batch(mini) -> None:
    sym, params = mini
    model = convert_graph(parse_symbol(sym.tojson(), "mini-symbol.json"), params, SHAPES)
    bigger = {"data": (5, *INPUT_SHAPE[1:])}
    model.reshape({"data": list(bigger["data"])})
    inputs = random_inputs(bigger, seed=7)
    (prob,) = openvino_forward(model, inputs)
    np.testing.assert_allclose(prob, mxnet_forward(sym, inputs, params)[0], rtol=0, atol=1e-4)


def test_a_convolution_requested_as_output_is_not_folded(monkeypatch, mini) -> None:
    # MXNet's MKLDNN subgraph pass can't bind a conv+BN pair whose inner output is also requested
    monkeypatch.setenv("MXNET_SUBGRAPH_BACKEND", "NONE")
    sym, params = mini
    graph = parse_symbol(sym.tojson(), "mini-symbol.json")
    inputs = random_inputs(SHAPES, seed=2)
    model = convert_graph(graph, params, SHAPES, outputs=["conv1_conv", "conv1_bn"])
    conv, bn = openvino_forward(model, inputs)
    internals = sym.get_internals()
    expected_conv, expected_bn = mxnet_forward(
        mx.sym.Group([internals["conv1_conv_output"], internals["conv1_bn_output"]]), inputs, params
    )
    np.testing.assert_allclose(conv, expected_conv, rtol=0, atol=1e-4)
    np.testing.assert_allclose(bn, expected_bn, rtol=0, atol=1e-4)


def test_reference_rebinds_for_another_batch_size(mini_checkpoint: Path, mini) -> None:
    sym, params = mini
    prefix = str(mini_checkpoint)
    reference = MXNetReference.load(Path(f"{prefix}-symbol.json"), Path(f"{prefix}-0000.params"), INPUT_SHAPE)
    batch = random_inputs({"data": (3, *INPUT_SHAPE[1:])}, seed=9)["data"]
    output = reference.forward(batch)
    assert output.prob.shape == (3, 10) and output.logits.shape == (3, 10)
    np.testing.assert_allclose(output.prob, mxnet_forward(sym, {"data": batch}, params)[0], rtol=0, atol=1e-6)


def test_all_unsupported_op_types_are_reported_at_once(mini) -> None:
    x = mx.sym.var("data")
    sym = mx.sym.Group(
        [
            mx.sym.sin(x, name="sine1"),
            mx.sym.sin(x, name="sine2"),
            mx.sym.Correlation(x, x, name="corr"),
            mx.sym.arccos(mx.sym.Activation(x, act_type="relu", name="act"), name="acos"),
        ]
    )
    with pytest.raises(UnsupportedOpsError) as raised:
        convert_graph(parse_symbol(sym.tojson(), "net-symbol.json"), {}, {"data": (1, 2, 4, 4)})
    assert raised.value.ops == {"Correlation": "corr", "arccos": "acos", "sin": "sine1"}
    assert str(raised.value) == (
        "net-symbol.json: no translator for 3 op type(s): Correlation (first node "
        "'corr'), arccos (first node 'acos'), sin (first node 'sine1')"
    )


def _one_node(op: str, attrs: dict[str, str], inputs: int = 1) -> str:
    nodes = [{"op": "null", "name": f"in{i}", "inputs": []} for i in range(inputs)]
    nodes.append({"op": op, "name": "node", "attrs": attrs, "inputs": [[i, 0, 0] for i in range(inputs)]})
    return json.dumps({"nodes": nodes, "arg_nodes": list(range(inputs)), "heads": [[inputs, 0, 0]]})


@pytest.mark.parametrize(
    "op, attrs, message",
    [
        ("Pooling", {"kernel": "(2, 2)", "pool_type": "lp"}, "pool_type 'lp' is not supported"),
        (
            "Pooling",
            {"kernel": "(2, 2)", "pooling_convention": "same"},
            "pooling_convention 'same' is not supported",
        ),
        (
            "UpSampling",
            {"scale": "2", "sample_type": "bilinear", "num_filter": "3"},
            "sample_type 'bilinear'",
        ),
        ("Dropout", {"mode": "always"}, "mode='always' (dropout at inference) is not supported"),
        ("Activation", {"act_type": "log_sigmoid"}, "act_type 'log_sigmoid' is not supported"),
        ("LeakyReLU", {"act_type": "swish"}, "act_type 'swish' is not supported"),
        (
            "Convolution",
            {"kernel": "(1, 1)", "num_filter": "3", "no_bias": "True", "layout": "NHWC"},
            "layout 'NHWC' is not supported",
        ),
        ("Cast", {"dtype": "float16"}, "dtype 'float16' is not supported"),
        ("_contrib_BilinearResize2D", {"mode": "nearest"}, "mode 'nearest' is not supported"),
        ("L2Normalization", {"mode": "batch"}, "mode 'batch' is not supported"),
        ("BatchNorm", {"output_mean_var": "True"}, "output_mean_var=True is not supported"),
    ],
    ids=[
        "pool-lp",
        "pool-same",
        "upsampling-bilinear",
        "dropout-always",
        "activation-log_sigmoid",
        "leaky-swish",
        "conv-nhwc",
        "cast-float16",
        "bilinear-mode",
        "l2norm-mode",
        "bn-output_mean_var",
    ],
)
def test_attribute_values_we_cant_honour_name_the_node(op: str, attrs: dict[str, str], message: str) -> None:
    inputs = {"Convolution": 2, "BatchNorm": 5}.get(op, 1)
    graph = parse_symbol(_one_node(op, attrs, inputs), "net-symbol.json")
    params = {f"in{i}": np.ones(3, np.float32) for i in range(1, inputs)}
    if op == "Convolution":
        params["in1"] = np.ones((3, 3, 1, 1), np.float32)
    with pytest.raises(ConversionError) as raised:
        convert_graph(graph, params, {"in0": (1, 3, 4, 4)})
    assert str(raised.value).startswith(f"net-symbol.json: node 'node' ({op}): {message}")


def test_a_missing_param_is_named() -> None:
    x = mx.sym.var("data")
    sym = mx.sym.FullyConnected(x, num_hidden=3, name="fc")
    with pytest.raises(FormatError) as raised:
        convert_graph(
            parse_symbol(sym.tojson(), "net-symbol.json"),
            {"fc_bias": np.zeros(3, np.float32)},
            {"data": (1, 4)},
            params_source="net-0000.params",
        )
    assert str(raised.value).startswith(
        "net-0000.params: param 'fc_weight': the params have no array for it; node 'fc' (FullyConnected) "
        "reads it as input 1"
    )


def test_an_unknown_output_is_rejected(mini) -> None:
    sym, params = mini
    with pytest.raises(ConversionError, match="requested output 'logits' is not a node"):
        convert_graph(parse_symbol(sym.tojson(), "mini-symbol.json"), params, SHAPES, outputs=["logits"])


def test_unexpected_translator_failures_say_which_node(monkeypatch, mini) -> None:
    def broken(node, attrs, ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(OPS, "Flatten", dataclasses.replace(OPS["Flatten"], translate=broken))
    sym, params = mini
    with pytest.raises(RuntimeError, match="boom") as raised:
        convert_graph(parse_symbol(sym.tojson(), "mini-symbol.json"), params, SHAPES)
    assert raised.value.__notes__ == ["while translating Flatten 'flatten'"]


def test_folding_leaves_the_callers_arrays_alone(mini, mini_checkpoint: Path) -> None:
    """BatchNorms are folded into the weights in place, but only into arrays the front end owns: a
    plain mapping's arrays are the caller's (copied first), a ParamsFile's are read fresh per lookup."""
    sym, params = mini
    before = {name: array.copy() for name, array in params.items()}
    graph = parse_symbol(sym.tojson(), "a")
    assert plan_batch_norm_folding(graph, params)
    from_mapping = convert_graph(graph, params, SHAPES)
    for name, array in params.items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)
    from_file = convert_graph(
        load_symbol(Path(f"{mini_checkpoint}-symbol.json")),
        ParamsFile.open(Path(f"{mini_checkpoint}-0000.params")).without_prefixes(),
        SHAPES,
    )
    inputs = random_inputs(SHAPES, seed=11)
    core = ov.Core()
    np.testing.assert_array_equal(
        core.compile_model(from_mapping, "CPU", F32_CONFIG)(inputs)[0],
        core.compile_model(from_file, "CPU", F32_CONFIG)(inputs)[0],
    )


def test_compiled_model_is_deterministic_across_conversions(mini) -> None:
    sym, params = mini
    first = convert_graph(parse_symbol(sym.tojson(), "a"), params, SHAPES)
    second = convert_graph(parse_symbol(sym.tojson(), "a"), params, SHAPES)
    inputs = random_inputs(SHAPES, seed=11)
    core = ov.Core()
    a = core.compile_model(first, "CPU", F32_CONFIG)(inputs)[0]
    b = core.compile_model(second, "CPU", F32_CONFIG)(inputs)[0]
    np.testing.assert_array_equal(a, b)
