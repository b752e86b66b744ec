"""model_optimizer_args are interpreted, never executed: every honoured form, every refusal by name."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pytest

from ovzoo.catalog.model import Model, TensorInfo
from ovzoo.errors import ConversionError
from ovzoo.vocabulary.spec import parse_mo_args

ZOO_ARGS = (
    "--reverse_input_channels",
    "--mean_values=data[124,117,104]",
    "--scale_values=data[59.880239521]",
    "--input_shape=[1,3,224,224]",
    "--input=data",
    "--output=softmax",
    "--input_model=$dl_dir/a04/checkpoint-0-0000.params",
)
DL, OUT = Path("/dl"), Path("/out")


def make_model(
    args: tuple[str, ...], input_info: tuple[TensorInfo, ...] = (), framework: str = "mxnet"
) -> Model:
    return Model(
        name="m",
        subdirectory=PurePosixPath("public/m"),
        description="",
        task_type="classification",
        framework=framework,
        license_url="",
        files=(),
        input_info=input_info,
        model_optimizer_args=args,
        config_dir=Path("/models/m"),
    )


def test_zoo_arguments_are_interpreted():
    spec = parse_mo_args(make_model(ZOO_ARGS), DL, OUT)
    assert spec.input_model == Path("/dl/public/m/a04/checkpoint-0-0000.params")
    assert spec.input_symbol == Path("/dl/public/m/a04/checkpoint-0-symbol.json")
    assert spec.input_name == "data"
    assert spec.input_shape == (1, 3, 224, 224)
    assert spec.layout == "NCHW"
    assert spec.mean == (124.0, 117.0, 104.0)
    assert spec.scale == (59.880239521,)
    assert spec.reverse_input_channels is True
    assert spec.output == ("softmax",)


@pytest.mark.parametrize(
    "args, field, expected",
    [
        (("--input_model", "$dl_dir/c-0007.params"), "input_model", Path("/dl/public/m/c-0007.params")),
        (("--input_model=$dl_dir/c-0007.params",), "input_symbol", Path("/dl/public/m/c-symbol.json")),
        (("--input_model=${dl_dir}/c-0000.params",), "input_model", Path("/dl/public/m/c-0000.params")),
        (("--input_model=$conv_dir/c-0000.params",), "input_model", Path("/out/public/m/c-0000.params")),
        (("--input_model=$config_dir/c-0000.params",), "input_model", Path("/models/m/c-0000.params")),
        (
            ("--input_model=$dl_dir/w.params", "--input_symbol", "$config_dir/s.json"),
            "input_symbol",
            Path("/models/m/s.json"),
        ),
        (
            ("--input_model=$dl_dir/c-0000.params", "--input_shape", "(1,3,32,48)"),
            "input_shape",
            (1, 3, 32, 48),
        ),
        (("--input_model=$dl_dir/c-0000.params", "--input=data[1,3,64,64]"), "input_shape", (1, 3, 64, 64)),
        (("--input_model=$dl_dir/c-0000.params", "--input", "img"), "input_name", "img"),
        (("--input_model=$dl_dir/c-0000.params", "--mean_values", "[1,2,3]"), "mean", (1.0, 2.0, 3.0)),
        (("--input_model=$dl_dir/c-0000.params", "--mean_values=data(1.5,2,3)"), "mean", (1.5, 2.0, 3.0)),
        (("--input_model=$dl_dir/c-0000.params", "--scale_values=[2,3,4]"), "scale", (2.0, 3.0, 4.0)),
        (("--input_model=$dl_dir/c-0000.params", "--layout", "nchw"), "layout", "NCHW"),
        (("--input_model=$dl_dir/c-0000.params", "--layout=data(NCHW)"), "layout", "NCHW"),
        (("--input_model=$dl_dir/c-0000.params", "--output", "fc,softmax"), "output", ("fc", "softmax")),
        (("--input_model=$dl_dir/c-0000.params",), "output", ()),
        (("--input_model=$dl_dir/c-0000.params",), "reverse_input_channels", False),
        (("--input_model=$dl_dir/c-0000.params",), "mean", None),
        (("--input_model=$dl_dir/c-0000.params", "--framework", "mxnet"), "input_name", "data"),
    ],
    ids=[
        "space-form",
        "symbol-from-epoch",
        "braced-placeholder",
        "conv_dir",
        "config_dir",
        "input_symbol",
        "round-shape",
        "shape-in-input",
        "input-name",
        "bare-mean",
        "round-mean",
        "per-channel-scale",
        "layout-lowercase",
        "layout-named",
        "two-outputs",
        "no-output",
        "no-reverse",
        "no-mean",
        "framework-mxnet",
    ],
)
def test_flag_forms(args, field, expected):
    info = (TensorInfo("data", (1, 3, 224, 224)), TensorInfo("img", (1, 3, 8, 8)))
    assert getattr(parse_mo_args(make_model(args, info), DL, OUT), field) == expected


def test_input_shape_from_input_info():
    args = ("--input_model=$dl_dir/c-0000.params",)
    spec = parse_mo_args(make_model(args, (TensorInfo("data", (1, 3, 96, 128), "NCHW"),)), DL, OUT)
    assert (spec.input_shape, spec.layout) == ((1, 3, 96, 128), "NCHW")


@pytest.mark.parametrize(
    "extra, named",
    [
        (("--data_type=FP16",), "--data_type"),
        (("--compress_to_fp16",), "--compress_to_fp16"),
        (("--legacy_mxnet_model",), "--legacy_mxnet_model"),
        (("--framework=onnx",), "--framework"),
        (("--mean_values=img[1,2,3]",), "--mean_values"),
        (("--mean_values=data[1,2]",), "--mean_values"),
        (("--scale_values=data[0]",), "--scale_values"),
        (("--scale_values=data[a]",), "--scale_values"),
        (("--layout=NHWC",), "NHWC"),
        (("--layout=nchw->nhwc",), "--layout"),
        (("--input=data,label",), "--input"),
        (("--input=data{f16}",), "--input"),
        (("--input_shape=[1,3,224]",), "input shape"),
        (("--input_shape=[1,3,224,224]", "--input=data[1,3,8,8]"), "--input_shape"),
        (("--output=softmax:0",), "--output"),
        (("--input_model=$dl_dir/other-0000.params",), "--input_model"),
        (("--reverse_input_channels=yes",), "--reverse_input_channels"),
        (("--output",), "--output"),
        (("stray",), "stray"),
    ],
    ids=[
        "data_type",
        "compress_to_fp16",
        "legacy_mxnet_model",
        "framework-onnx",
        "mean-other-input",
        "mean-wrong-count",
        "scale-zero",
        "scale-not-number",
        "layout-nhwc",
        "layout-change",
        "two-inputs",
        "input-type",
        "shape-3d",
        "shape-conflict",
        "output-port",
        "twice",
        "switch-with-value",
        "missing-value",
        "positional",
    ],
)
def test_unsupported_arguments_are_errors_naming_them(extra, named):
    with pytest.raises(ConversionError) as e:
        base = ("--input_model=$dl_dir/c-0000.params",)
        parse_mo_args(make_model(base + extra, (TensorInfo("data", (1, 3, 224, 224)),)), DL, OUT)
    assert named in str(e.value) and "'m'" in str(e.value)


@pytest.mark.parametrize(
    "args, named",
    [
        ((), "--input_model"),
        (("--input_model=$dl_dir/weights.params",), "--input_symbol"),
        (("--input_model=$nope/c-0000.params",), "$nope"),
        (("--input_model=$dl_dir/c-0000.params",), "input shape"),
    ],
    ids=["no-model", "underivable-symbol", "unknown-placeholder", "no-shape"],
)
def test_missing_or_unknown(args, named):
    with pytest.raises(ConversionError, match=".*") as e:
        parse_mo_args(make_model(args), DL, OUT)
    assert named in str(e.value)


def test_non_mxnet_framework_is_refused():
    with pytest.raises(ConversionError, match="framework 'onnx'"):
        parse_mo_args(make_model(ZOO_ARGS, framework="onnx"), DL, OUT)


def test_original_input_reverses_then_subtracts_rgb_mean_then_scales():
    spec = parse_mo_args(make_model(ZOO_ARGS), DL, OUT)
    bgr = np.random.default_rng(0).integers(0, 256, (2, 3, 4, 5)).astype(np.float32)
    got = spec.original_input(bgr)
    rgb = bgr[:, [2, 1, 0]]
    expected = (rgb - np.array([124, 117, 104], np.float32).reshape(1, 3, 1, 1)) / np.float32(59.880239521)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.dtype == np.float32 and got.flags.c_contiguous


def test_original_input_without_preprocessing_is_identity():
    spec = parse_mo_args(
        make_model(("--input_model=$dl_dir/c-0000.params", "--input_shape=[1,3,2,2]")), DL, OUT
    )
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 2, 2)
    np.testing.assert_array_equal(spec.original_input(x), x)


def _public_descriptors() -> list:
    from ovzoo.catalog.loader import load_models
    from support.catalog import OMZ_REFERENCE

    return load_models(OMZ_REFERENCE) if OMZ_REFERENCE.is_dir() else []


@pytest.mark.parametrize("model", _public_descriptors(), ids=lambda m: m.name)
def test_public_descriptors_are_honoured(model):
    spec = parse_mo_args(model, DL, OUT)
    assert spec.input_symbol.name == "checkpoint-0-symbol.json"
    assert spec.input_shape == (1, 3, 224, 224) and spec.layout == "NCHW"
    assert spec.reverse_input_channels and spec.mean == (124, 117, 104) and spec.output == ("softmax",)


def test_every_catalog_descriptor_is_honoured():
    from ovzoo.catalog.loader import load_models

    for model in load_models():
        assert parse_mo_args(model, DL, OUT).input_model.suffix == ".params", model.name
