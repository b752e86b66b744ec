"""Parsing -symbol.json: structure, typed attributes with MXNet's defaults, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovzoo.errors import ConversionError, FormatError
from ovzoo.mxnet.symbol import NodeRef, load_symbol, parse_symbol


def symbol_text(nodes: list[dict], heads: list | None = None, **extra) -> str:
    return json.dumps(
        {
            "nodes": nodes,
            "arg_nodes": [],
            "heads": heads if heads is not None else [[len(nodes) - 1, 0, 0]],
            **extra,
        }
    )


VAR = {"op": "null", "name": "data", "inputs": []}


def pooling(attrs: dict[str, str], key: str = "attrs") -> str:
    return symbol_text([VAR, {"op": "Pooling", "name": "pool", key: attrs, "inputs": [[0, 0, 0]]}])


def test_parses_a_symbol_written_by_mxnet() -> None:
    from support.mxnet_graphs import mx

    data = mx.sym.var("data")
    conv = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, no_bias=True, name="conv")
    bn = mx.sym.BatchNorm(conv, fix_gamma=False, eps=1e-4, name="bn")
    sym = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(bn, num_hidden=3, name="fc"), name="softmax")

    graph = parse_symbol(sym.tojson(), "net-symbol.json")

    assert [n.name for n in graph.nodes] == [
        "data",
        "conv_weight",
        "conv",
        "bn_gamma",
        "bn_beta",
        "bn_moving_mean",
        "bn_moving_var",
        "bn",
        "fc_weight",
        "fc_bias",
        "fc",
        "softmax_label",
        "softmax",
    ]
    assert [n.name for n in graph.op_nodes] == ["conv", "bn", "fc", "softmax"]
    assert graph.heads == (NodeRef(12, 0),)
    bn_node = graph.node("bn")
    assert bn_node.inputs == (NodeRef(2), NodeRef(3), NodeRef(4), NodeRef(5), NodeRef(6))
    assert bn_node.attr_bool("fix_gamma", True) is False
    assert bn_node.attr_float("eps", 1e-3) == pytest.approx(1e-4)
    assert graph.node("conv").attr_tuple("kernel", ()) == (3, 3)
    assert graph.attrs["mxnet_version"] == ["int", 10901]
    assert "bn" in graph and "nope" not in graph


def test_absent_attributes_take_the_callers_mxnet_default() -> None:
    node = parse_symbol(
        symbol_text([VAR, {"op": "BatchNorm", "name": "bn", "inputs": [[0, 0, 0]]}]), "s"
    ).node("bn")
    assert node.attr_bool("fix_gamma", True) is True  # MXNet's default: gamma treated as 1
    assert node.attr_float("eps", 1e-3) == 1e-3
    assert node.attr_int("axis", 1) == 1
    assert node.attr_str("act_type", "leaky") == "leaky"
    assert node.attr_tuple("pad", (0, 0)) == (0, 0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("(3, 3)", (3, 3)),
        ("[3,3]", (3, 3)),
        ("(3,)", (3,)),
        ("3", (3,)),
        ("()", ()),
        ("(0, -1, -4, 2, -1)", (0, -1, -4, 2, -1)),
        (" (1, 2) ", (1, 2)),
    ],
    ids=["paren-space", "bracket", "one-tuple", "bare-int", "empty", "negative-codes", "padded"],
)
def test_tuple_syntaxes(text: str, expected: tuple[int, ...]) -> None:
    assert parse_symbol(pooling({"kernel": text}), "s").node("pool").attr_tuple("kernel", (9,)) == expected


@pytest.mark.parametrize(
    "text, expected", [("True", True), ("False", False), ("true", True), ("0", False), ("1", True)]
)
def test_bool_syntaxes(text: str, expected: bool) -> None:
    assert (
        parse_symbol(pooling({"global_pool": text}), "s").node("pool").attr_bool("global_pool", not expected)
        is expected
    )


@pytest.mark.parametrize("key", ["attrs", "attr", "param"], ids=["mxnet-1.x", "mxnet-0.9", "mxnet-0.8"])
def test_older_attribute_keys_are_read(key: str) -> None:
    assert (
        parse_symbol(pooling({"pool_type": "avg"}, key), "s").node("pool").attr_str("pool_type", "max")
        == "avg"
    )


@pytest.mark.parametrize(
    "getter, attrs, message",
    [
        ("attr_int", {"num_filter": "lots"}, "attribute 'num_filter': expected an integer, got 'lots'"),
        ("attr_float", {"num_filter": "1e-4x"}, "attribute 'num_filter': expected a number, got '1e-4x'"),
        ("attr_bool", {"num_filter": "maybe"}, "attribute 'num_filter': expected True or False, got 'maybe'"),
        (
            "attr_tuple",
            {"num_filter": "(3, x)"},
            "attribute 'num_filter': expected an integer tuple, got '(3, x)'",
        ),
    ],
    ids=["int", "float", "bool", "tuple"],
)
def test_bad_attribute_values_name_file_node_and_attribute(getter: str, attrs: dict, message: str) -> None:
    node = parse_symbol(pooling(attrs), "net-symbol.json").node("pool")
    with pytest.raises(FormatError) as raised:
        getattr(node, getter)("num_filter", 0)
    assert str(raised.value) == f"net-symbol.json: node 'pool' (Pooling): {message}"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{nodes: []", "net-symbol.json: not valid JSON"),
        ("[1, 2]", "net-symbol.json: expected a JSON object"),
        (json.dumps({"heads": [[0, 0, 0]]}), "net-symbol.json: missing key 'nodes'"),
        (json.dumps({"nodes": [VAR]}), "net-symbol.json: missing key 'heads'"),
        (symbol_text([VAR], heads=[]), "net-symbol.json: 'heads' is empty"),
        (symbol_text([VAR], heads=[[3, 0, 0]]), "net-symbol.json: heads[0]: refers to node #3"),
        (symbol_text([{"name": "x", "inputs": []}]), "net-symbol.json: node 'x': missing key 'op'"),
        (symbol_text([{"op": "null", "inputs": []}]), "net-symbol.json: nodes[0]: missing key 'name'"),
        (
            symbol_text([{"op": "null", "name": "x"}]),
            "net-symbol.json: node 'x' (null): missing key 'inputs'",
        ),
        (
            symbol_text([VAR, {"op": "Flatten", "name": "f", "attrs": {"a": 1}, "inputs": [[0, 0, 0]]}]),
            "net-symbol.json: node 'f' (Flatten): 'attrs': expected an object of strings",
        ),
        (
            symbol_text([VAR, {"op": "Flatten", "name": "f", "inputs": [[7, 0, 0]]}]),
            "net-symbol.json: node 'f' (Flatten): inputs[0]: refers to node #7, which is not an earlier node",
        ),
        (
            symbol_text([{"op": "Flatten", "name": "f", "inputs": [[1, 0, 0]]}, VAR]),
            "net-symbol.json: node 'f' (Flatten): inputs[0]: refers to node #1, which is not an earlier node",
        ),
        (
            symbol_text([VAR, {"op": "Flatten", "name": "f", "inputs": [["0", 0, 0]]}]),
            "net-symbol.json: node 'f' (Flatten): inputs[0]: expected [node, output, version]",
        ),
        (
            symbol_text([VAR, {"op": "null", "name": "w", "inputs": [[0, 0, 0]]}]),
            "net-symbol.json: node 'w' (null): a variable (op 'null') can't have inputs",
        ),
    ],
    ids=[
        "bad-json",
        "not-object",
        "no-nodes",
        "no-heads",
        "empty-heads",
        "head-out-of-range",
        "no-op",
        "no-name",
        "no-inputs",
        "non-string-attr",
        "dangling-input",
        "not-topological",
        "bad-ref",
        "variable-with-inputs",
    ],
)
def test_malformed_symbols_raise_format_error_naming_file_and_node(text: str, message: str) -> None:
    with pytest.raises(FormatError) as raised:
        parse_symbol(text, "net-symbol.json")
    assert str(raised.value).startswith(message)


def test_load_symbol_reads_a_file_and_names_it_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "net-symbol.json"
    path.write_text(pooling({"kernel": "(2, 2)"}))
    assert load_symbol(path).node("pool").attr_tuple("kernel", ()) == (2, 2)
    with pytest.raises(FormatError, match="missing-symbol.json: can't read symbol file"):
        load_symbol(tmp_path / "missing-symbol.json")
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(FormatError, match="net-symbol.json: can't read symbol file"):
        load_symbol(path)


def test_node_checks_raise_conversion_and_format_errors() -> None:
    node = parse_symbol(pooling({"pool_type": "lp"}), "net-symbol.json").node("pool")
    with pytest.raises(ConversionError, match=r"^net-symbol.json: node 'pool' \(Pooling\): pool_type 'lp'"):
        node.check(False, "pool_type 'lp' is not supported")
    with pytest.raises(FormatError, match="expected 2..3 inputs, got 1"):
        node.expect_inputs(2, 3)
    with pytest.raises(KeyError, match="no node named 'nope'"):
        parse_symbol(pooling({}), "net-symbol.json").node("nope")
