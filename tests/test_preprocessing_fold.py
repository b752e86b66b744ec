"""Folding the input preprocessing with numpy gives exactly what PrePostProcessor.build() gives."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8

from ovzoo.convert.converter import _name_tensors, translate_checkpoint
from ovzoo.convert.preprocessing import (
    _fold_into_first_convolution,
    fold_preprocessing,
    fold_with_prepostprocessor,
)
from ovzoo.ir.writer import write_ir
from ovzoo.vocabulary.spec import parse_mo_args
from support.checkpoints import TINY_ARGS, tiny_checkpoint, tiny_model

_COMMON = ("--input_shape=[1,3,32,32]", "--input=data", "--output=softmax", TINY_ARGS[-1])
# PrePostProcessor's marker attribute: OpenVINO's own bookkeeping, which the numpy path can't create
_PPP_MARK = re.compile(r'\s*<rt_info>\s*<attribute name="preprocessing" version="0" />\s*</rt_info>')

CASES = {
    "zoo": TINY_ARGS,
    # several scales, one of them (1.7) where f32(1/s) is not f32(1/f64 s): w * (1/s) exactly as OpenVINO
    "per-channel-scale": ("--reverse_input_channels", "--scale_values=data[1.7,3,59.880239521]", *_COMMON),
    "mean-only": ("--mean_values=data[1,2,3]", *_COMMON),
    "reverse-only": ("--reverse_input_channels", *_COMMON),
    "scale-and-mean": ("--mean_values=data[124,117,104]", "--scale=255", *_COMMON),
    "nothing": _COMMON,
}


@pytest.fixture(scope="module")
def download_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dl")
    tiny_checkpoint(root)
    return root


def _written(download_dir: Path, args: tuple[str, ...], fold, out: Path) -> tuple[bytes, str]:
    model = tiny_model(args)
    spec = parse_mo_args(model, download_dir, out)
    ir_model = translate_checkpoint(spec)
    _name_tensors(ir_model, model, spec)
    write_ir(fold(ir_model, spec), out / "m.xml", compress_to_fp16=False)
    return (out / "m.bin").read_bytes(), (out / "m.xml").read_text()


@pytest.mark.parametrize("case", CASES)
def test_numpy_fold_writes_what_prepostprocessor_writes(
    download_dir: Path, tmp_path: Path, case: str
) -> None:
    assert np.float32(1) / np.float32(1.7) != np.float32(1 / 1.7)  # the rounding case is real
    args = CASES[case]
    spec = parse_mo_args(tiny_model(args), download_dir, tmp_path)
    assert _fold_into_first_convolution(translate_checkpoint(spec), spec)  # the numpy path is taken
    bin_ppp, xml_ppp = _written(download_dir, args, fold_with_prepostprocessor, tmp_path / "ppp")
    bin_np, xml_np = _written(download_dir, args, fold_preprocessing, tmp_path / "np")
    assert bin_np == bin_ppp
    assert xml_np == _PPP_MARK.sub("", xml_ppp)


def _relu_first() -> ov.Model:
    data = opset8.parameter([1, 3, 32, 32], np.float32, name="data")
    data.output(0).get_tensor().set_names({"data"})
    weights = opset8.constant(np.random.default_rng(0).standard_normal((4, 3, 1, 1)).astype(np.float32))
    conv = opset8.convolution(opset8.relu(data), weights, [1, 1], [0, 0], [0, 0], [1, 1])
    return ov.Model([conv], [data], "relu-first")


def test_other_graphs_go_through_prepostprocessor(download_dir: Path, tmp_path: Path) -> None:
    spec = parse_mo_args(tiny_model(), download_dir, tmp_path)
    assert not _fold_into_first_convolution(_relu_first(), spec)
    folded = fold_preprocessing(_relu_first(), spec)
    x = np.random.default_rng(1).uniform(0, 255, (1, 3, 32, 32)).astype(np.float32)
    f32 = {"INFERENCE_PRECISION_HINT": "f32"}
    expected = ov.Core().compile_model(_relu_first(), "CPU", f32)(spec.original_input(x))[0]
    got = ov.Core().compile_model(folded, "CPU", f32)(x)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
