"""Every op record refuses cleanly what it can't honour: one-node graphs of each op in the table with
random attribute values, input counts and shapes either convert or raise an ovzoo error (never an
IndexError, a ZeroDivisionError or an OpenVINO exception)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovzoo.errors import OvzooError
from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.symbol import parse_symbol

# every attribute name a record reads
KEYS = (
    "a_max a_min act_type align_corners alpha axes axis begin beta constant_value count_include_pad dilate "
    "dim dim1 dim2 dtype end eps exclude fix_gamma flatten global_pool height kernel keepdims layout "
    "lower_bound mode multi_output no_bias num_args num_filter num_group num_groups num_hidden num_outputs "
    "output_mean_var output_size p pad pad_width pool_type pooling_convention reverse sample_type scalar "
    "scale scale_height scale_width shape slope squeeze_axis step stride target_shape temperature "
    "upper_bound use_length width"
).split()
WORDS = [
    "None",
    "True",
    "False",
    "nan",
    "inf",
    "-inf",
    "",
    "abc",
    "relu",
    "sigmoid",
    "prelu",
    "rrelu",
    "avg",
    "max",
    "full",
    "same",
    "valid",
    "nearest",
    "bilinear",
    "like",
    "odd_scale",
    "size",
    "to_even_up",
    "constant",
    "edge",
    "reflect",
    "instance",
    "channel",
    "spatial",
    "float16",
    "int32",
    "NHWC",
    "NCHW",
]


def _tuple_text() -> st.SearchStrategy[str]:
    items = st.lists(st.one_of(st.integers(-5, 7), st.none()), max_size=9)
    return items.map(lambda values: "(" + ", ".join("None" if v is None else str(v) for v in values) + ")")


VALUES = st.one_of(
    st.sampled_from(WORDS),
    st.integers(-4, 9).map(str),
    st.floats(-3, 3, allow_nan=False).map(lambda v: f"{v:.3g}"),
    _tuple_text(),
)


@st.composite
def one_node_graph(draw: st.DrawFn) -> tuple[str, dict[str, tuple[int, ...]], dict[str, np.ndarray]]:
    op = draw(st.sampled_from(sorted(OPS)))
    attrs = draw(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6))
    count = draw(st.integers(1, 5))
    shapes: dict[str, tuple[int, ...]] = {}
    params: dict[str, np.ndarray] = {}
    for i in range(count):
        shape = tuple(draw(st.lists(st.integers(1, 6), min_size=0 if i else 1, max_size=5)))
        if i and draw(st.booleans()):
            params[f"in{i}"] = np.ones(shape, np.float32) * 0.5
        else:
            shapes[f"in{i}"] = shape
    nodes: list[dict[str, Any]] = [{"op": "null", "name": f"in{i}", "inputs": []} for i in range(count)]
    nodes.append({"op": op, "name": "node", "attrs": attrs, "inputs": [[i, 0, 0] for i in range(count)]})
    outputs = draw(st.integers(0, 2))
    text = json.dumps({"nodes": nodes, "arg_nodes": list(range(count)), "heads": [[count, outputs, 0]]})
    return text, shapes, params


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(one_node_graph())
def test_every_op_converts_or_refuses_cleanly(case: tuple[str, dict[str, tuple[int, ...]], dict]) -> None:
    text, shapes, params = case
    try:
        convert_graph(parse_symbol(text, "fuzz-symbol.json"), params, shapes)
    except OvzooError as e:
        assert "\n" not in str(e).strip(), repr(e)
