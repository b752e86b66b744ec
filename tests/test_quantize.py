"""ovzoo quantize: errors, determinism, rt_info, on the trained digits model's real IRs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

from ovzoo.cli.__main__ import run_command
from ovzoo.errors import QuantizationError
from ovzoo.quantize import Calibration, QuantizeOptions, calibration_images, quantize_model
from ovzoo.vocabulary.layout import ir_path
from ovzoo.zoo.digits import export_split
from support.digits_pipeline import download_and_convert

F32 = {"INFERENCE_PRECISION_HINT": "f32"}
SUBSET = 40  # enough for NNCF's statistics on a 10-class toy; keeps each run to seconds


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path, Path]:
    root = tmp_path_factory.mktemp("digits")
    model = download_and_convert(root / "models")
    calibration = export_split(root / "data", "train", count=SUBSET)
    return model, root / "models", calibration


def _options(
    models_dir: Path, out: Path, calibration: Calibration, precisions=("FP32-INT8",)
) -> QuantizeOptions:
    return QuantizeOptions(models_dir, out, calibration, precisions)


def _rt(xml: Path, *key: str) -> str:
    return ov.Core().read_model(xml).get_rt_info(["ovzoo", *key]).astype(str)


def test_quantized_ir_is_deterministic_and_records_its_calibration(converted, tmp_path):
    model, models_dir, data = converted
    calibration = Calibration("dataset", SUBSET, data)
    first = quantize_model(model, _options(models_dir, tmp_path / "a", calibration))
    second = quantize_model(model, _options(models_dir, tmp_path / "b", calibration))
    xml_a, xml_b = first[0].xml, second[0].xml
    assert xml_a == ir_path(tmp_path / "a", model, "FP32-INT8")
    assert xml_a.read_bytes() == xml_b.read_bytes()
    assert xml_a.with_suffix(".bin").read_bytes() == xml_b.with_suffix(".bin").read_bytes()
    assert _rt(xml_a, "quantization", "calibration") == "dataset"
    assert _rt(xml_a, "quantization", "subset_size") == str(SUBSET)
    assert str(data) in _rt(xml_a, "quantization", "calibration_source")
    ops = {op.get_type_name() for op in ov.Core().read_model(xml_a).get_ops()}
    assert "FakeQuantize" in ops
    assert sorted(p.name for p in xml_a.parent.iterdir()) == [xml_a.with_suffix(".bin").name, xml_a.name]


def test_synthetic_calibration_is_labelled_as_such(converted, tmp_path):
    model, models_dir, _ = converted
    results = quantize_model(
        model, _options(models_dir, tmp_path, Calibration("synthetic", 8), ("FP16-INT8",))
    )
    xml = results[0].xml
    assert xml == ir_path(tmp_path, model, "FP16-INT8")
    assert _rt(xml, "quantization", "calibration") == "synthetic"
    assert "synthetic" in results[0].calibration
    assert _rt(xml, "quantization", "source_precision") == "FP16"


def test_calibration_images_follow_the_evaluation_preprocessing(converted):
    _, _, data = converted
    batches = calibration_images(Calibration("dataset", 5, data), (1, 3, 32, 32))
    assert len(batches) == 5
    assert all(b.shape == (1, 3, 32, 32) and b.dtype.name == "float32" for b in batches)
    assert 0 <= min(b.min() for b in batches) and max(b.max() for b in batches) <= 255
    assert float(batches[0].max()) > 100  # raw 0..255 values, not normalised


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


BAD_DATASETS = {
    "missing-folder": (None, "does not exist"),
    "missing-val-txt": ({}, "val.txt' does not exist"),
    "empty-val-txt": ({"val.txt": "\n\n"}, "lists no images"),
    "malformed-line": ({"val.txt": "a.png seven\n"}, "val.txt:1: expected '<file> <label>'"),
    "missing-image": ({"val.txt": "nothing.png 3\n"}, "data/nothing.png' does not exist"),
    "not-an-image": ({"val.txt": "a.png 3\n", "a.png": "text"}, "data/a.png' (missing or not an image"),
}


@pytest.mark.parametrize("case", BAD_DATASETS, ids=list(BAD_DATASETS))
def test_bad_calibration_data_is_a_clear_error(converted, tmp_path, case):
    model, models_dir, _ = converted
    files, message = BAD_DATASETS[case]
    folder = tmp_path / "data" if files is None else _write(tmp_path / "data", files)
    with pytest.raises(QuantizationError, match="^model 'octave-digits-tiny': ") as error:
        quantize_model(model, _options(models_dir, tmp_path / "out", Calibration("dataset", 10, folder)))
    assert message in str(error.value)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "out").exists()


def test_model_not_quantizable_is_refused(converted, tmp_path):
    model, models_dir, data = converted
    plain = dataclasses.replace(model, quantizable=False)
    with pytest.raises(QuantizationError, match="not marked 'quantizable: true'"):
        quantize_model(plain, _options(models_dir, tmp_path, Calibration("dataset", 10, data)))


def test_missing_fp_ir_says_to_convert_first(converted, tmp_path):
    model, _, data = converted
    with pytest.raises(
        QuantizationError, match="missing FP IR .*run 'ovzoo convert --name octave-digits-tiny"
    ):
        quantize_model(model, _options(tmp_path / "empty", tmp_path, Calibration("dataset", 10, data)))


def test_damaged_fp_ir_says_which_file_and_to_convert_again(converted, tmp_path):
    model, models_dir, data = converted
    damaged = tmp_path / "models"
    target = ir_path(damaged, model, "FP32")
    target.parent.mkdir(parents=True)
    target.write_text("<html>not an IR</html>")  # e.g. an error page saved in its place
    target.with_suffix(".bin").write_bytes(
        ir_path(models_dir, model, "FP32").with_suffix(".bin").read_bytes()
    )
    with pytest.raises(QuantizationError) as error:
        quantize_model(model, _options(damaged, tmp_path / "out", Calibration("dataset", 10, data)))
    message = str(error.value)
    assert (
        f"{ir_path(damaged, model, 'FP32')}: not an OpenVINO IR" in message and "convert it again" in message
    )
    assert not (tmp_path / "out").exists()


def test_unknown_precision_is_refused(converted, tmp_path):
    model, models_dir, data = converted
    with pytest.raises(QuantizationError, match="unknown precision"):
        quantize_model(model, _options(models_dir, tmp_path, Calibration("dataset", 10, data), ("INT4",)))


CLI_USAGE = {
    "no-calibration-source": (["--name", "octave-digits-tiny"], 2),
    "dataset-and-synthetic": (["--name", "octave-digits-tiny", "--synthetic", "--dataset_dir", "x"], 2),
    "bad-precision": (["--name", "octave-digits-tiny", "--synthetic", "--precisions", "FP32"], 2),
    "bad-subset-size": (["--name", "octave-digits-tiny", "--synthetic", "--subset-size", "0"], 2),
}


@pytest.mark.parametrize("case", CLI_USAGE, ids=list(CLI_USAGE))
def test_cli_usage_errors_exit_2(case, capsys):
    argv, code = CLI_USAGE[case]
    with pytest.raises(SystemExit) if case != "no-calibration-source" else _no_raise() as _:
        assert run_command("quantize", argv) == code
    err = capsys.readouterr().err
    assert "error" in err


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_cli_quantizes_and_prints_the_ir(converted, tmp_path, capsys):
    _, models_dir, data = converted
    code = run_command(
        "quantize",
        [
            "--name",
            "octave-digits-tiny",
            "-d",
            str(models_dir),
            "-o",
            str(tmp_path),
            "--precisions",
            "FP32-INT8",
            "--dataset_dir",
            str(data),
            "--subset-size",
            "10",
        ],
    )
    out = capsys.readouterr().out
    assert code == 0
    xml = tmp_path / "public" / "octave-digits-tiny" / "FP32-INT8" / "octave-digits-tiny.xml"
    assert out.strip() == f"octave-digits-tiny FP32-INT8: {xml}"  # NNCF's progress bars went to stderr
    assert xml.is_file()


def test_cli_reports_a_missing_ir_in_one_line(tmp_path, capsys):
    code = run_command("quantize", ["--name", "octave-digits-tiny", "-d", str(tmp_path), "--synthetic"])
    err = capsys.readouterr().err
    assert code == 1
    assert "missing FP IR" in err and "ovzoo convert" in err
    assert "Traceback" not in err


def _activation_ranges(xml: Path, batches: list[np.ndarray]) -> Iterator[tuple[float, float, float]]:
    """Per activation FakeQuantize in graph order: its upper input limit, and the symmetric range of
    what it reads (computed by OpenVINO at f32) over all images and averaged over the images."""
    core = ov.Core()
    model = core.read_model(xml)
    for node in model.get_ordered_ops():
        if (
            node.get_type_name() != "FakeQuantize"
            or node.input_value(0).get_node().get_type_name() == "Constant"
        ):
            continue
        high = float(np.max(node.input_value(2).get_node().get_data()))
        reader = core.compile_model(ov.Model([node.input_value(0)], model.get_parameters()), "CPU", F32)
        per_image = np.stack([reader(batch)[0].ravel() for batch in batches])
        # symmetric quantizers: the larger side
        global_range = max(-per_image.min(), per_image.max())
        mean_range = max(-per_image.min(axis=1).mean(), per_image.max(axis=1).mean())
        yield high, float(global_range), float(mean_range)


@pytest.mark.parametrize("kind", ["synthetic", "dataset"])
def test_activation_ranges_follow_the_calibration_kind(converted, tmp_path, kind):
    # synthetic images don't sample the real inputs, so their global range is kept; a dataset's
    # per-image ranges are averaged (NNCF's default)
    model, models_dir, data = converted
    calibration = Calibration(kind, SUBSET, data if kind == "dataset" else None)
    xml = quantize_model(model, _options(models_dir, tmp_path, calibration))[0].xml
    batches = calibration_images(calibration, tuple(ov.Core().read_model(xml).inputs[0].get_shape()))
    # the first quantizer whose two estimates differ on these images tells which one was used
    high, global_range, mean_range = next(r for r in _activation_ranges(xml, batches) if r[1] > 1.05 * r[2])
    expected = global_range if calibration.activation_ranges == "minmax" else mean_range
    assert high == pytest.approx(expected, rel=0.01)
    assert _rt(xml, "quantization", "activation_ranges") == calibration.activation_ranges


def test_int8_irs_are_streamed_byte_for_byte_as_openvino_serialises_them(converted, tmp_path, monkeypatch):
    import filecmp

    import ovzoo.ir.writer as writer
    from ovzoo.ir.xml_stream import write_streamed

    compared = []

    def streamed_and_checked(model: ov.Model, xml: Path, bin_path: Path) -> None:
        write_streamed(model, xml, bin_path)  # raises NotStreamable rather than falling back
        ov.serialize(model, tmp_path / "serialized.xml")
        for ours, theirs in ((xml, tmp_path / "serialized.xml"), (bin_path, tmp_path / "serialized.bin")):
            assert filecmp.cmp(ours, theirs, shallow=False), ours.name
        compared.append(xml)

    monkeypatch.setattr(writer, "serialize", streamed_and_checked)
    model, models_dir, _ = converted
    quantize_model(
        model, _options(models_dir, tmp_path / "out", Calibration("synthetic", 8), ("FP32-INT8", "FP16-INT8"))
    )
    assert len(compared) == 2
