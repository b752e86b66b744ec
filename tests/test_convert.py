"""ovzoo convert on a tiny checkpoint: IR layout, names, precisions, rt_info, atomicity, determinism."""

from __future__ import annotations

import filecmp
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

import ovzoo
from ovzoo.cli.convert import main as convert_main
from ovzoo.convert.converter import convert_model, convert_models
from ovzoo.errors import ConversionError, FormatError, ModelNotDownloaded
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.spec import parse_mo_args
from support.checkpoints import TINY_CLASSES, TINY_NAME, tiny_checkpoint, tiny_model

F32 = {"INFERENCE_PRECISION_HINT": "f32"}
# Ops of opset1..8 load in OpenVINO 2023.3; Interpolate-11 is the one newer op allowed (FACTS 6).
OLD_OPSETS = {f"opset{i}" for i in range(1, 9)}


@pytest.fixture(scope="module")
def download_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dl")
    tiny_checkpoint(root)
    return root


@pytest.fixture(scope="module")
def converted(download_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ir")
    convert_model(tiny_model(), download_dir, out)
    return out


def all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def layer_types(xml: Path) -> list[tuple[str, str]]:
    return [(layer.get("type"), layer.get("version")) for layer in ET.parse(xml).getroot().iter("layer")]


def constant_types(xml: Path) -> set[str]:
    root = ET.parse(xml).getroot()
    return {
        layer.find("data").get("element_type") for layer in root.iter("layer") if layer.get("type") == "Const"
    }


def test_ir_files_appear_in_the_omz_layout(converted):
    expected = [
        converted / "public" / TINY_NAME / p / f"{TINY_NAME}.{ext}"
        for p in ("FP16", "FP32")
        for ext in ("bin", "xml")
    ]
    assert all_files(converted) == expected  # and nothing else: no temp files left
    assert ir_path(converted, tiny_model(), "FP32") == expected[3]


@pytest.mark.parametrize("precision", ["FP32", "FP16"])
def test_io_contract(converted, precision):
    model = ov.Core().read_model(ir_path(converted, tiny_model(), precision))
    (model_input,), (model_output,) = model.inputs, model.outputs
    assert model_input.get_names() == {"data"}
    assert model_input.get_element_type() == ov.Type.f32
    assert list(model_input.get_partial_shape().to_shape()) == [1, 3, 32, 32]
    assert str(model_input.get_node().get_layout()) == "[N,C,H,W]"
    assert model_output.get_names() == {"prob"}
    assert list(model_output.get_partial_shape().to_shape()) == [1, TINY_CLASSES]


def test_fp16_compresses_weights_and_fp32_does_not(converted):
    assert "f16" in constant_types(ir_path(converted, tiny_model(), "FP16"))
    assert "f16" not in constant_types(ir_path(converted, tiny_model(), "FP32"))


@pytest.mark.parametrize("precision", ["FP32", "FP16"])
def test_rt_info_records_source_and_preprocessing(converted, precision):
    model = ov.Core().read_model(ir_path(converted, tiny_model(), precision))
    rt = {
        key: model.get_rt_info(["ovzoo", *key.split("/")]).astype(str)
        for key in (
            "version",
            "precision",
            "source/framework",
            "source/files",
            "preprocessing/mean_values",
            "preprocessing/scale_values",
            "preprocessing/reverse_input_channels",
            "preprocessing/layout",
        )
    }
    assert rt["version"] == ovzoo.__version__
    assert rt["precision"] == precision
    assert rt["source/framework"] == "mxnet"
    assert f"sha384:{'ab' * 48}" in rt["source/files"]
    assert rt["preprocessing/mean_values"] == "124,117,104"
    assert rt["preprocessing/scale_values"] == "59.880239521"
    assert rt["preprocessing/reverse_input_channels"] == "True"
    assert rt["preprocessing/layout"] == "NCHW"


def test_preprocessing_is_folded_into_the_first_convolution(converted):
    model = ov.Core().read_model(ir_path(converted, tiny_model(), "FP32"))
    (consumer,) = model.input("data").get_target_inputs()
    assert consumer.get_node().get_type_name() == "Subtract"  # the mean: exact only before the padded conv
    (conv,) = consumer.get_node().output(0).get_target_inputs()
    assert conv.get_node().get_type_name() == "Convolution"


def test_only_ops_that_load_in_openvino_2023(converted):
    for precision in ("FP32", "FP16"):
        bad = {
            (t, v)
            for t, v in layer_types(ir_path(converted, tiny_model(), precision))
            if v not in OLD_OPSETS and (t, v) != ("Interpolate", "opset11")
        }
        assert not bad, precision


def test_ir_matches_mxnet_on_bgr_input(download_dir, converted):
    from ovzoo.mxnet.reference import MXNetReference

    spec = parse_mo_args(tiny_model(), download_dir, converted)
    reference = MXNetReference.load(spec.input_symbol, spec.input_model, (4, 3, 32, 32))
    bgr = np.random.default_rng(1).integers(0, 256, (4, 3, 32, 32)).astype(np.float32)
    expected = reference.forward(spec.original_input(bgr)).prob
    model = ov.Core().read_model(ir_path(converted, tiny_model(), "FP32"))
    model.reshape({"data": [4, 3, 32, 32]})  # batch 4: the upsampling must not pin the batch
    got = ov.Core().compile_model(model, "CPU", F32)(bgr)["prob"]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_same_input_gives_identical_bytes(download_dir, converted, tmp_path):
    convert_model(tiny_model(), download_dir, tmp_path)
    for precision in ("FP32", "FP16"):
        for ext in (".xml", ".bin"):
            a = ir_path(converted, tiny_model(), precision).with_suffix(ext)
            b = ir_path(tmp_path, tiny_model(), precision).with_suffix(ext)
            assert filecmp.cmp(a, b, shallow=False), f"{precision}{ext}"


def test_dry_run_writes_nothing_and_reports_missing_files(tmp_path):
    out = tmp_path / "out"
    result = convert_model(tiny_model(), tmp_path / "nowhere", out, dry_run=True)
    assert not out.exists()
    text = "\n".join(result.plan)
    assert "MISSING" in text and "FP16" in text and "FP32" in text
    assert "124,117,104" in text and "59.880239521" in text and "'prob'" in text


def test_dry_run_plan_shows_output_shape(download_dir, tmp_path):
    result = convert_model(tiny_model(), download_dir, tmp_path / "out", precisions=("FP32",), dry_run=True)
    assert f"[1, {TINY_CLASSES}]" in "\n".join(result.plan)
    assert not (tmp_path / "out").exists()


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotDownloaded, match="ovzoo download"):
        convert_model(tiny_model(), tmp_path, tmp_path)


def test_failing_conversion_keeps_the_existing_ir(download_dir, tmp_path):
    dl = tmp_path / "dl"
    params = tiny_checkpoint(dl)
    convert_model(tiny_model(), dl, tmp_path / "out")
    before = {p: p.read_bytes() for p in all_files(tmp_path / "out")}
    params.write_bytes(params.read_bytes()[:-100])  # truncated weights
    with pytest.raises(FormatError):
        convert_model(tiny_model(), dl, tmp_path / "out")
    assert {p: p.read_bytes() for p in all_files(tmp_path / "out")} == before


def test_output_info_shape_mismatch_is_an_error(download_dir, tmp_path):
    from dataclasses import replace

    from ovzoo.catalog.model import TensorInfo

    model = replace(tiny_model(), output_info=(TensorInfo("prob", (1, 1000)),))
    with pytest.raises(ConversionError, match=r"output_info says \[1, 1000\]"):
        convert_model(model, download_dir, tmp_path)
    assert not list(tmp_path.rglob("*.xml"))


def test_unknown_precision_is_refused(download_dir, tmp_path):
    with pytest.raises(ConversionError, match="INT8"):
        convert_model(tiny_model(), download_dir, tmp_path, precisions=("INT8",))


def test_batch_conversion_reports_failures_and_converts_the_rest(download_dir, tmp_path):
    broken = tiny_model(
        args=("--input_model=$dl_dir/tiny/checkpoint-0-0000.params", "--data_type=FP16"), name="broken"
    )
    report = convert_models([broken, tiny_model()], download_dir, tmp_path, ("FP32",), jobs=2)
    assert list(report.failed) == ["broken"] and "--data_type" in str(report.failed["broken"])
    assert [r.model for r in report.results] == [TINY_NAME]
    assert ir_path(tmp_path, tiny_model(), "FP32").is_file()


# -- the command ---------------------------------------------------------------------------------------

TINY_YML = """\
description: tiny test model
task_type: classification
files:
  - name: tiny.tar
    size: 1
    checksum: {checksum}
    source: https://example.invalid/tiny.tar
input_info:
  - name: data
    shape: [1, 3, 32, 32]
    layout: NCHW
model_optimizer_args:
{args}
framework: mxnet
license: https://example.invalid/LICENSE
output_info:
  - name: prob
    shape: [1, {classes}]
"""


@pytest.fixture
def models_dir(tmp_path) -> Path:
    root = tmp_path / "models"
    for name, args in (
        (TINY_NAME, tiny_model().model_optimizer_args),
        ("broken", ("--input_model=$dl_dir/tiny/checkpoint-0-0000.params", "--silent")),
    ):
        (root / name).mkdir(parents=True)
        (root / name / "model.yml").write_text(
            TINY_YML.format(
                checksum="ab" * 48, args="\n".join(f"  - {a}" for a in args), classes=TINY_CLASSES
            )
        )
    return root


def run_cli(*argv: str) -> int:
    from ovzoo.cli.__main__ import main

    return main(["convert", *argv])


def test_cli_converts_into_output_dir(models_dir, download_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        run_cli(
            "--models_dir",
            str(models_dir),
            "--name",
            TINY_NAME,
            "-d",
            str(download_dir),
            "-o",
            str(out),
            "--precisions",
            "FP32",
            "-j",
            "auto",
        )
        == 0
    )
    assert all_files(out) == [
        ir_path(out, tiny_model(), "FP32").with_suffix(".bin"),
        ir_path(out, tiny_model(), "FP32"),
    ]
    assert str(ir_path(out, tiny_model(), "FP32")) in capsys.readouterr().out


def test_cli_output_dir_defaults_to_download_dir(models_dir, tmp_path):
    tiny_checkpoint(tmp_path / "dl")
    cwd = os.getcwd()
    os.chdir(tmp_path / "dl")
    try:
        assert (
            convert_main(["--models_dir", str(models_dir), "--name", TINY_NAME, "--precisions", "FP16"]) == 0
        )
    finally:
        os.chdir(cwd)
    assert ir_path(tmp_path / "dl", tiny_model(), "FP16").is_file()


def test_cli_dry_run_prints_plan_and_writes_nothing(models_dir, tmp_path, capsys):
    assert (
        run_cli("--models_dir", str(models_dir), "--name", TINY_NAME, "-d", str(tmp_path / "dl"), "--dry_run")
        == 0
    )
    out = capsys.readouterr().out
    assert "FP16" in out and "FP32" in out and "MISSING" in out
    assert list(tmp_path.rglob("*.xml")) == []


def test_cli_failed_models_exit_1_with_list(models_dir, download_dir, tmp_path, capsys):
    assert (
        run_cli("--models_dir", str(models_dir), "--all", "-d", str(download_dir), "-o", str(tmp_path)) == 1
    )
    err = capsys.readouterr().err
    assert "FAILED:" in err and "broken" in err.split("FAILED:")[1] and "--silent" in err


@pytest.mark.parametrize(
    "argv",
    [
        ("--precisions", "INT8"),
        ("--precisions", "FP32,BF16"),
        ("-j", "0"),
        ("-j", "many"),
        (),
    ],
    ids=["int8", "bf16", "zero-jobs", "word-jobs", "no-selection"],
)
def test_cli_usage_errors_exit_2(models_dir, argv):
    with pytest.raises(SystemExit) as e:
        code = run_cli(
            "--models_dir", str(models_dir), *(argv if argv else ()), *(("--name", TINY_NAME) if argv else ())
        )
        raise SystemExit(code)
    assert e.value.code == 2
