"""ovzoo.mxnet.shapes against MXNet's own infer_shape, and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ovzoo.errors import ConversionError, FormatError, UnsupportedOpsError
from ovzoo.mxnet.shapes import infer_shapes
from ovzoo.mxnet.symbol import parse_symbol
from support.mini_octave import INPUT_SHAPE, build_mini_octave
from support.mxnet_graphs import random_params
from support.translator_cases import all_cases

CASES = all_cases()


def mxnet_shapes(sym, input_shapes) -> list[tuple[int, ...]]:
    """Every visible output of every node, in node order, as MXNet infers them."""
    _, shapes, _ = sym.get_internals().infer_shape(**input_shapes)
    return [tuple(s) for s in shapes]


def our_shapes_in_order(text: str, input_shapes, params=None) -> list[tuple[int, ...]]:
    graph = parse_symbol(text, "test-symbol.json")
    ours = infer_shapes(graph, input_shapes, params)
    return [shape for node in graph.nodes for shape in ours[node.name]]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_shapes_match_mxnet(case) -> None:
    expected = mxnet_shapes(case.symbol(), case.shapes)
    assert our_shapes_in_order(case.json(), case.shapes) == expected


@pytest.mark.parametrize("with_params", [False, True], ids=["weights-inferred", "weights-checked"])
def test_mini_octave_shapes_match_mxnet(with_params: bool) -> None:
    sym = build_mini_octave()
    shapes = {"data": INPUT_SHAPE}
    params = random_params(sym, shapes) if with_params else None
    assert our_shapes_in_order(sym.tojson(), shapes, params) == mxnet_shapes(sym, shapes)


def test_weight_shapes_are_inferred_from_the_ops() -> None:
    sym = build_mini_octave()
    ours = infer_shapes(parse_symbol(sym.tojson(), "mini"), {"data": INPUT_SHAPE})
    assert ours["L2_B01_conv2_conv-h2h_weight"] == ((12, 3, 3, 3),)  # grouped: (O, I/g, kh, kw)
    assert ours["conv1_bn_moving_var"] == ((16,),)
    assert ours["classifier_weight"] == ((10, 24),)
    assert ours["softmax_label"] == ((2,),)
    assert ours["softmax"] == ((2, 10),)


@pytest.mark.parametrize(
    "node, param, bad_shape, needed",
    [
        ("L2_B01_conv2_conv-h2h", "L2_B01_conv2_conv-h2h_weight", (12, 12, 3, 3), (12, 3, 3, 3)),
        ("tail_bn", "tail_bn_gamma", (23,), (24,)),
        ("classifier", "classifier_bias", (10, 1), (10,)),
    ],
    ids=["grouped-conv-weight", "bn-gamma", "fc-bias"],
)
def test_param_with_the_wrong_shape_is_named(node: str, param: str, bad_shape, needed) -> None:
    sym = build_mini_octave()
    params = random_params(sym, {"data": INPUT_SHAPE})
    params[param] = np.zeros(bad_shape, np.float32)
    with pytest.raises(FormatError) as raised:
        infer_shapes(parse_symbol(sym.tojson(), "mini-symbol.json"), {"data": INPUT_SHAPE}, params)
    assert str(raised.value).startswith(f"mini-symbol.json: node '{node}'")
    assert str(raised.value).endswith(f"param '{param}' has shape {bad_shape}, the graph needs {needed}")


def test_input_that_is_not_a_variable_is_rejected() -> None:
    graph = parse_symbol(build_mini_octave().tojson(), "mini-symbol.json")
    with pytest.raises(FormatError, match="'pool1' is not a variable"):
        infer_shapes(graph, {"data": INPUT_SHAPE, "pool1": (1, 2)})


def test_unsized_data_input_is_reported() -> None:
    graph = parse_symbol(build_mini_octave().tojson(), "mini-symbol.json")
    with pytest.raises(FormatError, match="node 'data'.*can't infer the shape"):
        infer_shapes(graph, {})


def test_inconsistent_shapes_name_the_node() -> None:
    from support.mxnet_graphs import mx

    sym = mx.sym.add_n(mx.sym.var("a"), mx.sym.var("b"), name="sum")
    with pytest.raises(FormatError, match=r"node 'sum' \(add_n\): input 1 has shape \(1, 3\)"):
        infer_shapes(parse_symbol(sym.tojson(), "s.json"), {"a": (1, 2), "b": (1, 3)})


def test_ops_without_a_rule_are_listed_together() -> None:
    from support.mxnet_graphs import mx

    x = mx.sym.var("data")
    sym = mx.sym.Group(
        [
            mx.sym.sin(x, name="s1"),
            mx.sym.sin(x, name="s2"),
            mx.sym.Correlation(x, x, name="p"),
        ]
    )
    with pytest.raises(UnsupportedOpsError, match=r"Correlation \(first node 'p'\), sin \(first node 's1'\)"):
        infer_shapes(parse_symbol(sym.tojson(), "s.json"), {"data": (1, 1, 4, 4)})


@pytest.mark.parametrize(
    "op, attrs, inputs, message",
    [
        ("Pooling", {"kernel": "(2, 2)", "pooling_convention": "same"}, 1, "pooling_convention 'same'"),
        (
            "UpSampling",
            {"scale": "2", "sample_type": "bilinear", "num_args": "2"},
            2,
            "sample_type 'bilinear' is not supported",
        ),
    ],
    ids=["pool-same", "upsampling-bilinear"],
)
def test_shape_inference_refuses_what_the_translator_refuses(op, attrs, inputs, message) -> None:
    nodes = [{"op": "null", "name": f"in{i}", "inputs": []} for i in range(inputs)]
    nodes.append({"op": op, "name": "node", "attrs": attrs, "inputs": [[i, 0, 0] for i in range(inputs)]})
    text = json.dumps({"nodes": nodes, "arg_nodes": list(range(inputs)), "heads": [[inputs, 0, 0]]})
    shapes = {f"in{i}": (1, 2, 4, 4) for i in range(inputs)}
    with pytest.raises(ConversionError, match=rf"node 'node' \({op}\): {message}"):
        infer_shapes(parse_symbol(text, "s.json"), shapes)
