"""The readers never crash (issue 11 part 6): the bundled octave-digits-tiny checkpoint, mutated 3,000 ways.

Byte flips and truncations of `-symbol.json` and `.params`, and JSON-level edits of the symbol's
attributes, inputs, heads and node lists. Each mutated checkpoint goes through what `ovzoo convert`
runs (load_symbol, ParamsFile, convert_graph; load_params too for the params) and must either convert or raise an
ovzoo error (the root in ovzoo/errors.py), never IndexError, KeyError, TypeError and friends.
"""

from __future__ import annotations

import copy
import functools
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovzoo.errors import OvzooError
from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.params import ParamsFile, load_params, strip_prefixes
from ovzoo.mxnet.symbol import Graph, load_symbol

REPO = Path(__file__).resolve().parent.parent
ARCHIVE = REPO / "models" / "octave-digits-tiny" / "octave-digits-tiny.tar"
INPUT = {"data": (1, 3, 32, 32)}

# 3,000 examples in all, deterministic (same examples every run, no example database on disk)
FUZZ = functools.partial(
    settings,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def pristine() -> tuple[bytes, bytes]:
    """(symbol JSON bytes, params bytes) of the bundled checkpoint, read from its archive."""
    with tarfile.open(ARCHIVE) as tar:
        files = {Path(m.name).name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    return files["checkpoint-0-symbol.json"], files["checkpoint-0-0000.params"]


@functools.cache
def pristine_document() -> dict[str, Any]:
    return json.loads(pristine()[0])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def pristine_files(workdir: Path) -> tuple[Graph, dict[str, Any]]:
    """The unmutated side of each pair, read once through the same readers."""
    symbol, params = pristine()
    (workdir / "good-symbol.json").write_bytes(symbol)
    (workdir / "good-0000.params").write_bytes(params)
    graph = load_symbol(workdir / "good-symbol.json")
    arrays = strip_prefixes(load_params(workdir / "good-0000.params"))
    convert_graph(graph, arrays, INPUT)  # the unmutated checkpoint converts
    return graph, arrays


def convert_or_refuse(graph_source: Path | Graph, params_source: Path | dict[str, Any]) -> None:
    """Read and convert; an OvzooError is a clean refusal, anything else propagates and fails the test."""
    try:
        graph = load_symbol(graph_source) if isinstance(graph_source, Path) else graph_source
        if isinstance(params_source, Path):
            try:  # the eager reader (the library's load_params) ...
                strip_prefixes(load_params(params_source))
            except OvzooError:
                pass
            # ... and the lazy one `ovzoo convert` uses, through the whole conversion
            params = ParamsFile.open(params_source).without_prefixes()
            convert_graph(graph, params, INPUT, params_source=str(params_source))
        else:
            convert_graph(graph, params_source, INPUT)
    except OvzooError as e:
        assert str(e) and "\n" not in str(e).strip(), repr(e)  # one line


# --- byte-level mutations ---------------------------------------------------------------------


# a mutation is drawn as a small description and applied in the test: hypothesis keeps what it
# draws, and 3,000 drawn 1 MB files would hold a gigabyte
Mutation = tuple[int | None, tuple[tuple[int, int], ...]]  # (truncate at, ((position, xor), ...))


@st.composite
def flips_or_cut(draw: st.DrawFn, size: int, hot: list[tuple[int, int]]) -> Mutation:
    """Cut at a random length, or XOR 1-4 bytes (positions biased to the ``hot`` ranges)."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.integers(0, size - 1)), ()
    ranges = [st.integers(0, size - 1), *(st.integers(start, end - 1) for start, end in hot)]
    # mostly one low bit: text stays ASCII (so the JSON still decodes) and sizes change a little
    values = st.sampled_from([1, 2, 4, 8, 16, 32, 64]) | st.integers(1, 255)
    return None, tuple(draw(st.tuples(st.one_of(ranges), values)) for _ in range(draw(st.integers(1, 4))))


def mutated(blob: bytes, mutation: Mutation) -> bytes:
    cut, flips = mutation
    if cut is not None:
        return blob[:cut]
    data = bytearray(blob)
    for position, value in flips:
        data[position] ^= value
    return bytes(data)


def _params_hot_ranges() -> list[tuple[int, int]]:
    """The file header, each array's record header and the name table: where structure lives."""
    blob = pristine()[1]
    ranges = [(0, 24), (len(blob) - 4096, len(blob))]
    # V2 records start with the magic 0xF993FAC9; its header is the 40-odd bytes that follow
    magic = (0xF993FAC9).to_bytes(4, "little")
    at = blob.find(magic)
    while at >= 0 and len(ranges) < 64:
        ranges.append((at, min(at + 48, len(blob))))
        at = blob.find(magic, at + 4)
    return ranges


def _symbol_hot_ranges() -> list[tuple[int, int]]:
    text = pristine()[0].decode()
    return [
        (i, i + 40) for i in (text.find('"heads"'), text.find('"attrs"'), text.find('"inputs"')) if i >= 0
    ]


@FUZZ(max_examples=1000)
@given(flips_or_cut(len(pristine()[0]), _symbol_hot_ranges()))
def test_symbol_byte_mutations_never_crash(workdir: Path, pristine_files, mutation: Mutation) -> None:
    path = workdir / "mutated-symbol.json"
    path.write_bytes(mutated(pristine()[0], mutation))
    convert_or_refuse(path, pristine_files[1])


@FUZZ(max_examples=800)
@given(flips_or_cut(len(pristine()[1]), _params_hot_ranges()))
def test_params_byte_mutations_never_crash(workdir: Path, pristine_files, mutation: Mutation) -> None:
    path = workdir / "mutated-0000.params"
    path.write_bytes(mutated(pristine()[1], mutation))
    convert_or_refuse(pristine_files[0], path)


# --- JSON-level mutations of the symbol ---------------------------------------------------------

TRICKY_STRINGS = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "2",
    "-7",
    "3.5",
    "1e400",
    "nan",
    "inf",
    "-inf",
    "None",
    "True",
    "False",
    "()",
    "(0,)",
    "(0, 0)",
    "(1, 1)",
    "(2, 2)",
    "(-1, -1)",
    "(3, 3, 3)",
    "(99999, 99999)",
    "[1, 2]",
    "(1,",
    "abc",
    "(a, b)",
    "(None, 2)",
    "max",
    "avg",
    "sum",
    "lp",
    "full",
    "same",
    "valid",
    "relu",
    "sigmoid",
    "leaky",
    "prelu",
    "nearest",
    "bilinear",
    "concat",
    "99999999999999999999",
    "(0, -4, 2, -1)",
    "(-2,)",
    "(-3, -2)",
    "(0, -1)",
    "NHWC",
    "NCHW",
    "instance",
    "channel",
]
TRICKY_JSON: list[Any] = [None, 0, -1, 1.5, True, "x", [], {}, [0], [[0, 0, 0]], {"a": 1}, [None]]
ATTRIBUTE_KEYS = [
    "kernel",
    "stride",
    "pad",
    "dilate",
    "num_filter",
    "num_group",
    "no_bias",
    "layout",
    "axis",
    "eps",
    "fix_gamma",
    "use_global_stats",
    "output_mean_var",
    "act_type",
    "slope",
    "pool_type",
    "global_pool",
    "pooling_convention",
    "count_include_pad",
    "scale",
    "sample_type",
    "num_args",
    "dim",
    "num_hidden",
    "flatten",
    "shape",
    "reverse",
    "multi_output",
    "mode",
    "p",
    "__shape__",
]
OP_NAMES = [*OPS, "null", "Bogus", "", "Deconvolution"]


def _any_string() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TRICKY_STRINGS), st.text(max_size=8))


def _any_ref(count: int) -> st.SearchStrategy[Any]:
    index = st.integers(-2, count + 2)
    good = st.lists(st.integers(-1, 3), min_size=1, max_size=2).flatmap(
        lambda tail: index.map(lambda i: [i, *tail])
    )
    return st.one_of(
        good, st.sampled_from(TRICKY_JSON), st.sampled_from([["a", 0, 0], [1.5, 0, 0], [True, 0, 0]])
    )


@st.composite
def edited_document(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(pristine_document())
    nodes: list[Any] = doc["nodes"]
    ops = [i for i, node in enumerate(nodes) if node["op"] != "null"]
    target = nodes[draw(st.sampled_from(ops) | st.integers(0, len(nodes) - 1))]
    kind = draw(
        st.sampled_from(["attr", "attr", "attr", "op", "inputs", "inputs", "heads", "nodes", "field", "top"])
    )
    if kind == "attr":
        attrs = target.setdefault("attrs", {})
        key = draw(st.sampled_from(sorted({*attrs, *ATTRIBUTE_KEYS})))
        if attrs and draw(st.booleans()) and key in attrs and draw(st.integers(0, 3)) == 0:
            del attrs[key]
        else:
            attrs[key] = draw(_any_string())
    elif kind == "op":
        target["op"] = draw(st.sampled_from(OP_NAMES))
    elif kind == "inputs":
        inputs = target.setdefault("inputs", [])
        action = draw(st.sampled_from(["drop", "add", "replace", "junk"]))
        if action == "drop" and inputs:
            inputs.pop(draw(st.integers(0, len(inputs) - 1)))
        elif action == "replace" and inputs:
            inputs[draw(st.integers(0, len(inputs) - 1))] = draw(_any_ref(len(nodes)))
        elif action == "junk":
            target["inputs"] = draw(st.sampled_from(TRICKY_JSON))
        else:
            inputs.insert(draw(st.integers(0, len(inputs))), draw(_any_ref(len(nodes))))
    elif kind == "heads":
        doc["heads"] = draw(
            st.one_of(st.lists(_any_ref(len(nodes)), max_size=3), st.sampled_from(TRICKY_JSON))
        )
    elif kind == "nodes":
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "junk", "truncate"]))
        i, j = draw(st.integers(0, len(nodes) - 1)), draw(st.integers(0, len(nodes) - 1))
        if action == "delete":
            del nodes[i]
        elif action == "duplicate":
            nodes.insert(j, copy.deepcopy(nodes[i]))
        elif action == "swap":
            nodes[i], nodes[j] = nodes[j], nodes[i]
        elif action == "junk":
            nodes.insert(i, draw(st.sampled_from(TRICKY_JSON)))
        else:
            del nodes[i:]
    elif kind == "field":
        field = draw(st.sampled_from(["name", "op", "inputs", "attrs"]))
        if draw(st.booleans()):
            target.pop(field, None)
        else:
            other = nodes[draw(st.integers(0, len(nodes) - 1))]
            target[field] = draw(st.sampled_from([*TRICKY_JSON, other.get("name"), other.get(field)]))
    else:
        key = draw(st.sampled_from(["nodes", "heads", "attrs", "arg_nodes"]))
        if draw(st.booleans()):
            doc.pop(key, None)
        else:
            doc[key] = draw(st.sampled_from(TRICKY_JSON))
    return doc


@FUZZ(max_examples=1200)
@given(edited_document())
def test_symbol_json_edits_never_crash(workdir: Path, pristine_files, document: dict[str, Any]) -> None:
    path = workdir / "edited-symbol.json"
    path.write_text(json.dumps(document))
    convert_or_refuse(path, pristine_files[1])
