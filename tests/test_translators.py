"""Each translator against MXNet's own forward pass, on one-node (or tiny) graphs built with mx.sym."""

from __future__ import annotations

import numpy as np
import pytest

from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.record import OpRecord
from ovzoo.mxnet.symbol import parse_symbol
from support.mxnet_graphs import mxnet_forward, openvino_forward, random_inputs, random_params
from support.translator_cases import TranslatorCase, all_cases, case_ops

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_translator_matches_mxnet(case: TranslatorCase) -> None:
    sym = case.symbol()
    params = random_params(sym, case.shapes, seed=0)
    inputs = random_inputs(case.shapes, seed=1)
    expected = mxnet_forward(sym, inputs, params)

    model = convert_graph(parse_symbol(case.json(), f"{case.id}-symbol.json"), params, case.shapes)
    actual = openvino_forward(model, inputs)

    assert_old_opsets_only(model)
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol)


def assert_old_opsets_only(model) -> None:
    """Only opset1..8 ops plus Interpolate-11: what OpenVINO 2023.3 LTS reads."""
    for op in model.get_ops():
        version = op.get_type_info().version_id
        if op.get_type_name() == "Interpolate":
            assert version == "opset11", (op.get_type_name(), version)
        else:
            assert version in {f"opset{i}" for i in range(1, 9)}, (op.get_type_name(), version)


def test_every_op_has_a_case() -> None:
    covered = set().union(*(case_ops(case) for case in CASES))
    assert sorted(OPS.keys() - covered) == []


def test_op_table_is_sorted() -> None:
    assert list(OPS) == sorted(OPS)


@pytest.mark.parametrize("op", sorted(OPS))
def test_every_record_has_all_three_parts(op: str) -> None:
    record = OPS[op]
    assert isinstance(record, OpRecord)
    for part in (record.parse, record.infer, record.translate):
        assert callable(part), (op, part)
