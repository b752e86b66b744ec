"""``ovzoo convert --input_model`` (the legacy mo flags) and ``ovzoo.convert_model()`` on real Gluon exports.

The checkpoints are built with MXNet as a user would (``hybridize(); net(x); export()``) and the
converted models are compared against the same network's own forward pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

from ovzoo.errors import ConversionError, OvzooError
from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.params import load_params, save_params

mx = import_mxnet()
nn = mx.gluon.nn
REPO_ROOT = Path(__file__).resolve().parent.parent
F32 = {"INFERENCE_PRECISION_HINT": "f32"}
MEAN, STD = (123.675, 116.28, 103.53), (58.395, 57.12, 57.375)
PREPROCESSING = (
    "--mean_values",
    "[123.675,116.28,103.53]",
    "--scale_values=[58.395,57.12,57.375]",
    "--reverse_input_channels",
)


class SmallNet(mx.gluon.HybridBlock):
    """Conv-BN-ReLU-pool-Dense: a Dense after Flatten ties the input size to the params."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():  # layer names then don't depend on what the process built before
            self.body = nn.HybridSequential(prefix="")
            self.body.add(nn.Conv2D(8, 3, padding=1), nn.BatchNorm(), nn.Activation("relu"), nn.MaxPool2D(2))
            self.body.add(nn.Conv2D(16, 3, strides=2), nn.Activation("relu"), nn.Flatten(), nn.Dense(10))

    def hybrid_forward(self, F, x):  # noqa: N803 (Gluon's signature)
        return self.body(x)


class TwoInputNet(mx.gluon.HybridBlock):
    """An image and a side vector, summed after the image branch: two data inputs."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        with self.name_scope():
            self.conv = nn.Conv2D(4, 3, padding=1)
            self.pool = nn.GlobalAvgPool2D()
            self.flat = nn.Flatten()
            self.side = nn.Dense(4)

    def hybrid_forward(self, F, x, y):  # noqa: N803
        return self.flat(self.pool(self.conv(x))) + self.side(y)


def export(net, folder: Path, name: str, *shapes: tuple[int, ...]):
    mx.random.seed(0)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    net.hybridize()
    inputs = [mx.nd.random.uniform(shape=s) for s in shapes]
    net(*inputs)
    for pname, param in net.collect_params().items():
        if pname.endswith("running_mean"):
            param.set_data(mx.nd.random.normal(0, 0.1, param.shape))
        elif pname.endswith("running_var"):
            param.set_data(mx.nd.random.uniform(0.5, 1.5, param.shape))
    net.export(str(folder / name))
    return folder / f"{name}-0000.params"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    net = SmallNet(prefix="small_")
    return export(net, folder, "small", (1, 3, 16, 16)), net


@pytest.fixture(scope="module")
def two_inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two")
    net = TwoInputNet(prefix="two_")
    return export(net, folder, "two", (1, 3, 8, 8), (1, 6)), net


def bgr_images(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(np.float32)


def normalised(bgr: np.ndarray) -> np.ndarray:
    """What the MXNet original takes: RGB, (x - mean) / std (mo's order: flip, subtract, divide)."""
    rgb = bgr[:, ::-1]
    return (rgb - np.reshape(MEAN, (1, 3, 1, 1))) / np.reshape(STD, (1, 3, 1, 1))


def assert_parity(got: np.ndarray, expected: np.ndarray, relative: float = 1e-5) -> None:
    scale = float(np.abs(expected).max())
    assert np.abs(got - expected).max() <= relative * scale, (np.abs(got - expected).max(), scale)


def run_convert(*argv: str) -> int:
    from ovzoo.cli.__main__ import main

    return main(["convert", *argv])


def test_cli_mo_flags_give_an_ir_with_mxnet_parity(small, tmp_path, capsys):
    params, net = small
    out = tmp_path / "ir"
    code = run_convert(
        "--input_model", str(params), "--input_shape", "[1,3,16,16]", *PREPROCESSING,
        "--output_dir", str(out), "--model_name", "classifier", "--compress_to_fp16=False",
    )  # fmt: skip
    assert code == 0
    xml = out / "classifier.xml"
    assert capsys.readouterr().out.strip() == str(xml)
    assert sorted(p.name for p in out.iterdir()) == ["classifier.bin", "classifier.xml"]
    model = ov.Core().read_model(xml)
    assert model.input().get_any_name() == "data" and list(model.input().get_shape()) == [1, 3, 16, 16]
    assert model.get_rt_info(["ovzoo", "precision"]).astype(str) == "FP32"
    files = model.get_rt_info(["ovzoo", "source", "files"]).astype(str)
    assert "small-0000.params sha256:" in files and "small-symbol.json sha256:" in files
    assert "--reverse_input_channels" in model.get_rt_info(
        ["ovzoo", "conversion_parameters", "model_optimizer_args"]
    ).astype(str)
    bgr = bgr_images((1, 3, 16, 16))
    got = ov.Core().compile_model(model, "CPU", F32)(bgr)[0]
    assert_parity(got, net(mx.nd.array(normalised(bgr))).asnumpy())


def test_cli_defaults_are_mo_defaults(small, tmp_path, monkeypatch, capsys):
    """No --output_dir: the current directory; no --model_name: the params file's stem; FP16 weights."""
    params, net = small
    monkeypatch.chdir(tmp_path)
    assert run_convert("-m", str(params), "--input_shape", "(1,3,16,16)") == 0
    xml = tmp_path / "small-0000.xml"
    assert xml.is_file() and xml.with_suffix(".bin").is_file()
    model = ov.Core().read_model(xml)
    assert model.get_rt_info(["ovzoo", "precision"]).astype(str) == "FP16"
    assert any(
        op.get_element_type() == ov.Type.f16 for op in model.get_ops() if op.get_type_name() == "Constant"
    )
    x = np.random.default_rng(1).uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32)
    got = ov.Core().compile_model(model, "CPU", F32)(x)[0]
    assert_parity(got, net(mx.nd.array(x)).asnumpy(), relative=1e-2)


def test_cli_several_inputs_and_batch(two_inputs, tmp_path):
    params, net = two_inputs
    code = run_convert(
        "--input_model", str(params), "--input", "data0,data1", "--input_shape", "[1,3,8,8],[1,6]",
        "--batch", "2", "-o", str(tmp_path), "--compress_to_fp16", "False",
    )  # fmt: skip
    assert code == 0
    model = ov.Core().read_model(tmp_path / "two-0000.xml")
    assert {i.get_any_name(): list(i.get_shape()) for i in model.inputs} == {
        "data0": [2, 3, 8, 8],
        "data1": [2, 6],
    }
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(2, 3, 8, 8)).astype(np.float32), rng.normal(size=(2, 6)).astype(np.float32)
    got = ov.Core().compile_model(model, "CPU", F32)({"data0": x, "data1": y})[0]
    assert_parity(got, net(mx.nd.array(x), mx.nd.array(y)).asnumpy())


def test_api_returns_a_model_to_compile_or_save(small, tmp_path):
    from ovzoo import convert_model

    params, net = small
    model = convert_model(
        params, input_shape=[1, 3, 16, 16], mean_values=list(MEAN), scale_values={"data": STD},
        reverse_input_channels=True,
    )  # fmt: skip
    assert isinstance(model, ov.Model)
    bgr = bgr_images((1, 3, 16, 16), seed=4)
    expected = net(mx.nd.array(normalised(bgr))).asnumpy()
    assert_parity(ov.Core().compile_model(model, "CPU", F32)(bgr)[0], expected)
    ov.save_model(model, tmp_path / "m.xml", compress_to_fp16=False)
    assert_parity(ov.Core().compile_model(tmp_path / "m.xml", "CPU", F32)(bgr)[0], expected)


def test_api_several_inputs_by_mapping_and_fp16(two_inputs):
    from ovzoo import convert_model

    params, net = two_inputs
    model = convert_model(
        str(params), input={"data0": ov.Shape([1, 3, 8, 8]), "data1": (1, 6)}, compress_to_fp16=True
    )
    assert [i.get_any_name() for i in model.inputs] == ["data0", "data1"]
    assert any(
        op.get_element_type() == ov.Type.f16 for op in model.get_ops() if op.get_type_name() == "Constant"
    )
    x, y = np.ones((1, 3, 8, 8), np.float32), np.full((1, 6), 0.5, np.float32)
    got = ov.Core().compile_model(model, "CPU", F32)([x, y])[0]
    assert_parity(got, net(mx.nd.array(x), mx.nd.array(y)).asnumpy(), relative=1e-2)


def test_api_and_cli_share_one_parser(small):
    from ovzoo import convert_model

    with pytest.raises(ConversionError, match=r"--mean_values=\[1.0,2.0\]: 2 values for 3 channels"):
        convert_model(small[0], input_shape=[1, 3, 16, 16], mean_values=[1, 2])


def test_import_ovzoo_stays_light():
    code = "import sys, ovzoo; assert 'openvino' not in sys.modules and 'numpy' not in sys.modules; ovzoo.convert_model"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def run_subprocess(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}
    return subprocess.run(
        [sys.executable, "-m", "ovzoo.cli", "convert", *argv],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip


def test_bad_input_is_one_line_in_a_real_process(small, tmp_path):
    """Exit 1, one line naming the file and the flag or node, no traceback, nothing written."""
    params, _ = small
    result = run_subprocess("--input_model", str(params), "--input_shape", "[1,3,20,20]", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and str(params.with_name("small-symbol.json")) in result.stderr
    assert "dense0" in result.stderr and "param" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            ("--input_shape", "[1,4,16,16]"),
            "conv0_weight' has shape (8, 3, 3, 3), the graph needs (8, 4, 3, 3)",
        ),
        (("--input_shape", "[1,3,20,20]"), "dense0"),
        (
            ("--input_shape", "[1,3,16,16]", "--mean_values", "[1,2]"),
            "--mean_values=[1,2]: 2 values for 3 channels",
        ),
        (("--input_shape", "[1,3,16,16]", "--scale_values", "data[1,2,3,4]"), "4 values for 3 channels"),
        (("--input_shape", "[1,3,16,16]", "--enable_ssd_gluoncv"), "--enable_ssd_gluoncv: the GluonCV SSD"),
        (
            ("--input_shape", "[1,3,16,16]", "--legacy_mxnet_model"),
            "--legacy_mxnet_model: checkpoints saved by",
        ),
        (
            ("--input_shape", "[1,3,16,16]", "--nd_prefix_name", "x"),
            "--nd_prefix_name: weights in separate .nd",
        ),
        (("--input_shape", "[1,3,16,16]", "--pretrained_model_name", "x"), "--pretrained_model_name:"),
        (("--input_shape", "[1,3,16,16]", "--save_params_from_nd"), "--save_params_from_nd:"),
        (
            ("--input_shape", "[1,3,16,16]", "--transformations_config", "x.json"),
            "--transformations_config: not supported",
        ),
        (
            (
                "--input_shape",
                "[1,3,?,16]",
            ),
            "dynamic dimensions",
        ),
        (
            (
                "--input_shape",
                "[1,3,16,16],[1,6]",
            ),
            "several shapes need --input",
        ),
        (
            ("--input_shape", "[1,3,16,16]", "--input", "image"),
            "--input: 'image' is not a variable of the symbol (its inputs: data)",
        ),
        (("--input_shape", "[1,3,16,16]", "--output", "nope"), "requested output 'nope'"),
        (("--input_shape", "[1,3,16,16]", "--layout", "NHWC"), "layout 'NHWC' is not supported"),
        (("--input_shape", "[1,3,16,16]", "--compress_to_fp16=maybe"), "--compress_to_fp16=maybe"),
        (("--input_shape", "[1,3,16,16]", "--data_type", "FP64"), "--data_type=FP64"),
        ((), "no input shape for 'data': give --input_shape"),
    ],
)
def test_bad_flags_are_one_error_naming_file_and_flag(small, tmp_path, capsys, extra, message):
    params, _ = small
    assert run_convert("--input_model", str(params), "-o", str(tmp_path / "out"), *extra) == 1
    err = capsys.readouterr().err
    named = (
        f"ovzoo convert: error: {params}",
        f"ovzoo convert: error: {params.with_name('small-symbol.json')}",
    )
    assert message in err and err.startswith(named) and err.count("\n") == 1, err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_params_lacking_an_array_names_it(small, tmp_path, capsys):
    params, _ = small
    arrays = load_params(params)
    dropped = next(k for k in arrays if k.endswith("dense0_weight"))
    del arrays[dropped]
    broken = tmp_path / "broken-0000.params"
    save_params(broken, arrays)
    (tmp_path / "broken-symbol.json").write_bytes(params.with_name("small-symbol.json").read_bytes())
    assert run_convert("--input_model", str(broken), "--input_shape", "[1,3,16,16]", "-o", str(tmp_path)) == 1
    err = capsys.readouterr().err
    assert dropped.partition(":")[2] in err and err.count("\n") == 1, err
    assert not (tmp_path / "broken-0000.xml").exists()


def test_missing_files_are_named(small, tmp_path, capsys):
    missing = tmp_path / "gone-0000.params"
    assert run_convert("--input_model", str(missing), "--input_shape", "[1,3,8,8]") == 1
    assert capsys.readouterr().err == f"ovzoo convert: error: {tmp_path / 'gone-symbol.json'}: no such file\n"
    monkeypatch = pytest.MonkeyPatch.context()
    with monkeypatch as m:
        m.chdir(tmp_path)  # relative paths are taken from the current directory, as mo did
        assert run_convert("-m", str(small[0]), "--input_symbol", "s.json", "--input_shape", "[1,3,8,8]") == 1
    assert capsys.readouterr().err == f"ovzoo convert: error: {tmp_path / 's.json'}: no such file\n"


def test_api_errors_are_ovzoo_errors_naming_the_file(small):
    from ovzoo import convert_model

    with pytest.raises(OvzooError, match=r"small-symbol.json: --input: 'image' is not a variable"):
        convert_model(small[0], input=[("image", [1, 3, 16, 16])], layout={"image": "NCHW"})
