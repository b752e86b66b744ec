"""The structural octave check on every family architecture: the upstream symbols (from the zoo's
builder) with the shapes a correct IR has pass, and an IR whose low branch is wrong in one layer fails
on that layer with the rule that layer follows (the alpha split, a concat's sum, its input's channels)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from ovzoo.mxnet.shapes import infer_shapes
from ovzoo.mxnet.symbol import Graph, parse_symbol
from ovzoo.validate import validate_model
from ovzoo.validate.octave import check_octave_structure, find_octave_problems, pair_kind
from ovzoo.vocabulary.layout import ir_path
from ovzoo.zoo.octave import OCTAVE_FAMILY, build_symbol_json
from support.broken_irs import DEFECTS, write_broken_ir
from support.digits_pipeline import download_and_convert

FAMILY = sorted(OCTAVE_FAMILY)


@cache
def _symbol(name: str) -> tuple[Graph, dict[str, tuple[int, ...]]]:
    """The member's upstream symbol and the shapes inferred on it (what a correct IR has)."""
    spec = OCTAVE_FAMILY[name]
    graph = parse_symbol(build_symbol_json(spec), f"{name}-symbol.json")
    shapes = infer_shapes(graph, {"data": spec.input_shape})
    return graph, {n.name: shapes[n.name][0] for n in graph.op_nodes if shapes[n.name]}


def _good_ir(name: str) -> dict[str, list[tuple[int, ...]]]:
    return {layer: [shape] for layer, shape in _symbol(name)[1].items()}


def _first_pair(name: str, kind: str) -> str | None:
    """The first ``-l`` layer (in name order) whose pair follows ``kind``."""
    graph, shapes = _symbol(name)
    for layer in sorted(shapes):
        if (
            layer.endswith("-l")
            and f"{layer[:-2]}-h" in shapes
            and pair_kind(graph, graph.node(layer)) == kind
        ):
            return layer
    return None


def _with_channels(shape: tuple[int, ...], channels: int) -> tuple[int, ...]:
    return (shape[0], channels, *shape[2:])


@pytest.mark.parametrize("name", FAMILY)
def test_a_correct_ir_passes(name: str) -> None:
    graph, shapes = _symbol(name)
    check = check_octave_structure(_good_ir(name), graph, OCTAVE_FAMILY[name].alpha, "FP32", shapes)
    assert check is not None and check.passed, check
    assert "L2:" in check.measured and "L4:" in check.measured


def test_each_architecture_meets_its_own_rules() -> None:
    """DenseNet's concatenations and the SE vectors are pairs whose low branch is not int(alpha x C)."""
    densenet = find_octave_problems(
        _good_ir("octave-densenet-121-0.125"), *_symbol("octave-densenet-121-0.125")[:1], 0.125
    )
    assert densenet.kinds["concat"] > 0 and not densenet.problems
    graph, shapes = _symbol("octave-densenet-121-0.125")
    concat = shapes["L2_B02_concat-l"], shapes["L2_B02_concat-h"]
    assert concat[0][1] != int(0.125 * (concat[0][1] + concat[1][1]))  # the one formula would fail it
    se = find_octave_problems(
        _good_ir("octave-se-resnet-50-0.125"), _symbol("octave-se-resnet-50-0.125")[0], 0.125
    )
    assert not se.problems
    assert shapes_of_rank(_symbol("octave-se-resnet-50-0.125")[1], 2)  # FC vectors are checked too


def shapes_of_rank(shapes: dict[str, tuple[int, ...]], rank: int) -> list[str]:
    return [n for n, s in shapes.items() if n.endswith("-l") and len(s) == rank and f"{n[:-2]}-h" in shapes]


@pytest.mark.parametrize(
    ("name", "kind", "reason"),
    [
        *[pytest.param(n, "octave output", "alpha", id=f"{n}-octave-output") for n in FAMILY],
        *[pytest.param(n, "follows", "its input", id=f"{n}-follows") for n in FAMILY],
        pytest.param(
            "octave-densenet-121-0.125", "concat", "inputs' low branches sum to", id="densenet-concat"
        ),
    ],
)
def test_a_wrong_low_branch_fails_on_its_layer(name: str, kind: str, reason: str) -> None:
    graph, shapes = _symbol(name)
    layer = _first_pair(name, kind)
    assert layer is not None, f"{name} has no {kind} pair"
    broken = _good_ir(name)
    broken[layer] = [_with_channels(shapes[layer], shapes[layer][1] + 1)]
    # without the symbol's shapes the rules alone must catch it; with them, as the validator runs it, too
    for symbol_shapes in (None, shapes):
        problems = find_octave_problems(broken, graph, OCTAVE_FAMILY[name].alpha, symbol_shapes).problems
        mine = [p for p in problems if p.startswith(f"{layer[:-2]}:")]
        assert any(reason in p for p in mine), problems
    check = check_octave_structure(broken, graph, OCTAVE_FAMILY[name].alpha, "FP32", shapes)
    assert check is not None and not check.passed and layer[:-2] in check.detail


@pytest.mark.parametrize("name", ["octave-resnext-50-0.25", "octave-densenet-121-0.125"])
def test_a_low_branch_of_the_wrong_size_fails(name: str) -> None:
    graph, shapes = _symbol(name)
    layer = _first_pair(name, "follows")
    assert layer is not None
    broken = _good_ir(name)
    n, c, h, w = shapes[layer]
    broken[layer] = [(n, c, h * 2, w * 2)]
    problems = find_octave_problems(broken, graph, OCTAVE_FAMILY[name].alpha).problems
    assert any("low must be exactly half" in p for p in problems), problems


def test_no_pairs_no_check() -> None:
    graph, _ = _symbol("octave-resnet-26-0.25")
    assert check_octave_structure({"conv1_conv": [(1, 64, 112, 112)]}, graph, 0.25, "FP32") is None


def test_a_converted_ir_with_a_wrong_low_branch_fails_validation(tmp_path: Path) -> None:
    """On real IRs (the trained octave digits model): the good one passes shapes.octave, the one with a
    widened low-branch ReLU fails it, naming the layer."""
    model = download_and_convert(tmp_path / "zoo", ("FP32",))
    good = validate_model(model, tmp_path / "zoo", tmp_path / "zoo", ("FP32",), reference="none", images=4)
    octave = good.check("shapes.octave", "FP32")
    assert octave.passed, octave
    broken_dir = tmp_path / "broken"
    write_broken_ir(
        ir_path(tmp_path / "zoo", model, "FP32"),
        ir_path(broken_dir, model, "FP32"),
        DEFECTS["low-branch-widened"],
    )
    report = validate_model(model, tmp_path / "zoo", broken_dir, ("FP32",), reference="none", images=4)
    check = report.check("shapes.octave", "FP32")
    assert not check.passed and "low branch has" in check.detail and "its input" in check.detail, check
