"""ovzoo accuracy: strict config parsing, accuracy-checker preprocessing, model resolution, the digits pipeline."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import yaml

from ovzoo.accuracy.config import AccuracyConfigError, load_accuracy_config
from ovzoo.accuracy.evaluate import AccuracyOptions, run_accuracy
from ovzoo.accuracy.launchers import top_classes
from ovzoo.accuracy.report import format_report
from ovzoo.accuracy.selection import AccuracyError, Targets, plan_evaluations
from ovzoo.cli.__main__ import run_command
from ovzoo.datasets.labelled import DatasetError, load_labelled_images
from ovzoo.datasets.preprocessing import apply_steps, evaluation_steps, read_image, resized_size
from ovzoo.datasets.steps import BgrToRgb, Crop, Normalization, Resize
from support.digits_pipeline import DIGITS_CONFIG, REPO_ROOT, DigitsZoo, download_and_convert

CONFIGS = REPO_ROOT / "accuracy_configs"
RESNEXT = "octave-resnext-50-0.25"
# the family members with an accuracy config, and their published (top-1, top-5) references
FAMILY_CONFIGS = {
    RESNEXT: (0.78772, 0.9418),
    "octave-densenet-121-0.125": (0.76066, 0.93044),
    "octave-resnet-50-0.125": (0.7819, 0.93862),
    "octave-se-resnet-50-0.125": (0.78706, 0.9409),
    "octave-resnet-101-0.125": (0.79182, 0.9442),
    "octave-resnext-101-0.25": (0.79556, 0.94444),
    "octave-resnet-200-0.125": (0.7999, 0.94866),
}


# --- the committed configs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FAMILY_CONFIGS, "octave-digits-tiny"])
def test_model_folder_config_is_a_relative_link_to_the_accuracy_configs_file(name):
    link = REPO_ROOT / "models" / name / "accuracy-check.yml"
    target = CONFIGS / f"{name}.yml"
    assert link.is_symlink() and not Path(os.readlink(link)).is_absolute()
    assert link.resolve() == target.resolve()
    assert link.read_bytes() == target.read_bytes()  # also holds where a checkout flattened the link


def test_resnext_config_has_both_launchers_and_the_published_references():
    config = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml")
    mx, ir = config.models
    assert (mx.name, mx.launchers[0].framework, mx.launchers[0].model) == (
        f"{RESNEXT}-mx",
        "mxnet",
        "checkpoint-0-0000.params",
    )
    assert mx.launchers[0].inputs[0].shape == (3, 224, 224)
    assert mx.datasets[0].preprocessing == (
        BgrToRgb(),
        Resize(256, "greater", "CUBIC"),
        Crop(224),
        Normalization((124.0, 117.0, 104.0), (59.88,)),
    )
    assert (ir.name, ir.launchers[0].framework) == (RESNEXT, "openvino")
    assert ir.datasets[0].preprocessing == (Resize(256, "greater", "CUBIC"), Crop(224))
    for entry in config.models:
        assert [(m.top_k, m.reference) for m in entry.datasets[0].metrics] == [(1, 0.78772), (5, 0.9418)]
    definition = config.definitions["imagenet_1000_classes"]
    assert (definition.annotation_file, definition.data_source) == ("val.txt", "ILSVRC2012_img_val")


@pytest.mark.parametrize("name", sorted(FAMILY_CONFIGS))
def test_family_configs_run_both_launchers_against_the_published_references(name):
    config = load_accuracy_config(CONFIGS / f"{name}.yml")
    mx, ir = config.models
    assert (mx.name, mx.launchers[0].framework, ir.name, ir.launchers[0].framework) == (
        f"{name}-mx",
        "mxnet",
        name,
        "openvino",
    )
    top1, top5 = FAMILY_CONFIGS[name]
    for entry in config.models:
        assert [(m.top_k, m.reference) for m in entry.datasets[0].metrics] == [(1, top1), (5, top5)]


ALL_CONFIGS = sorted(p for p in CONFIGS.glob("*.yml") if p.name != "dataset_definitions.yml")


@pytest.mark.parametrize("path", ALL_CONFIGS, ids=[p.stem for p in ALL_CONFIGS])
def test_references_are_exact_and_irs_may_miss_them_by_less_than_a_point(path):
    """MXNet entries: no tolerance. IR entries: 1 point (the INT8 target), by accuracy_check's rule
    (FAILED when the absolute or the relative difference reaches its threshold)."""
    for entry in load_accuracy_config(path).models:
        for metric in entry.datasets[0].metrics:
            assert metric.reference is not None
            if entry.launchers[0].framework == "mxnet":
                assert (metric.abs_threshold, metric.rel_threshold) == (0, 0)
                continue
            assert not metric.failed(metric.reference - 0.0099) and not metric.failed(
                metric.reference + 0.0099
            )
            assert metric.failed(metric.reference - 0.01)


# --- strict parsing -------------------------------------------------------------------------------------


def _set(path: str, value: object):
    def edit(config: dict) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value

    return edit


_DELETE = object()
BAD_CONFIGS = {
    "unknown-top-level-key": (_set("modles", []), "top level: unknown key(s) 'modles'"),
    "unknown-framework": (
        _set("models.0.launchers.0.framework", "caffe"),
        "models[0].launchers[0].framework",
    ),
    "unknown-adapter": (_set("models.0.launchers.0.adapter", "detection"), "models[0].launchers[0].adapter"),
    "mxnet-model-not-params": (
        _set("models.0.launchers.0.model", "model.json"),
        "launchers[0].model: expected",
    ),
    "mxnet-without-inputs": (
        _set("models.0.launchers.0.inputs", _DELETE),
        "the mxnet launcher needs exactly one",
    ),
    "bad-input-shape": (
        _set("models.0.launchers.0.inputs.0.shape", "3,224"),
        "inputs[0].shape: expected C,H,W",
    ),
    "unknown-step": (_set("models.0.datasets.0.preprocessing.0.type", "flip"), "preprocessing[0].type"),
    "unknown-step-key": (_set("models.0.datasets.0.preprocessing.1.sizee", 3), "unknown key(s) 'sizee'"),
    "bad-aspect-ratio-scale": (
        _set("models.0.datasets.0.preprocessing.1.aspect_ratio_scale", "width"),
        "preprocessing[1].aspect_ratio_scale",
    ),
    "bad-interpolation": (
        _set("models.0.datasets.0.preprocessing.1.interpolation", "SPLINE"),
        "preprocessing[1].interpolation",
    ),
    "zero-crop": (
        _set("models.0.datasets.0.preprocessing.2.size", 0),
        "preprocessing[2].size: expected an integer",
    ),
    "zero-std": (
        _set("models.0.datasets.0.preprocessing.3.std", 0),
        "preprocessing[3].std: expected numbers > 0",
    ),
    "two-means": (
        _set("models.0.datasets.0.preprocessing.3.mean", "(1,2)"),
        "preprocessing[3].mean: expected 1 or 3",
    ),
    "metric-type": (_set("models.0.datasets.0.metrics.0.type", "map"), "metrics[0].type: only 'accuracy'"),
    "reference-in-percent": (
        _set("models.0.datasets.0.metrics.0.reference", 78.772),
        "expected a fraction 0..1",
    ),
    "unknown-dataset": (
        _set("models.0.datasets.0.name", "coco"),
        "dataset 'coco' is not in the dataset definitions",
    ),
    "reader": (_set("models.0.datasets.0.reader", "pillow_imread"), "reader: only 'opencv_imread'"),
    "no-launchers": (_set("models.0.launchers", []), "models[0].launchers: expected a non-empty list"),
}


@pytest.mark.parametrize("case", BAD_CONFIGS, ids=list(BAD_CONFIGS))
def test_bad_config_is_a_one_line_error_naming_file_and_field(tmp_path, case):
    edit, message = BAD_CONFIGS[case]
    config = copy.deepcopy(yaml.safe_load((CONFIGS / f"{RESNEXT}.yml").read_text()))
    edit(config)
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(config))
    with pytest.raises(AccuracyConfigError) as error:
        load_accuracy_config(path, CONFIGS / "dataset_definitions.yml")
    text = str(error.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text


@pytest.mark.parametrize(
    "content, message",
    [
        ("models: [", "not valid YAML"),
        (None, "can't read the file"),
    ],
    ids=["not-yaml", "missing-file"],
)
def test_unreadable_config(tmp_path, content, message):
    path = tmp_path / "config.yml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(AccuracyConfigError, match=message):
        load_accuracy_config(path, CONFIGS / "dataset_definitions.yml")


def test_global_definitions_are_read_beside_the_config_unless_d_is_given(tmp_path):
    config = yaml.safe_load((CONFIGS / f"{RESNEXT}.yml").read_text())
    config["global_definitions"] = "defs/mine.yml"
    (tmp_path / "defs").mkdir()
    definitions = yaml.safe_load((CONFIGS / "dataset_definitions.yml").read_text())
    definitions["datasets"][0]["data_source"] = "elsewhere"
    (tmp_path / "defs" / "mine.yml").write_text(yaml.safe_dump(definitions))
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(config))
    assert load_accuracy_config(path).definitions["imagenet_1000_classes"].data_source == "elsewhere"
    given = load_accuracy_config(path, CONFIGS / "dataset_definitions.yml")
    assert given.definitions["imagenet_1000_classes"].data_source == "ILSVRC2012_img_val"


def test_bad_dataset_definitions_name_their_file(tmp_path):
    definitions = tmp_path / "dataset_definitions.yml"
    definitions.write_text(
        "datasets:\n  - name: x\n    data_source: d\n    annotation_conversion: {converter: voc, annotation_file: a}\n"
    )
    with pytest.raises(AccuracyConfigError, match=r"dataset_definitions.yml: .*converter: only 'imagenet'"):
        load_accuracy_config(CONFIGS / f"{RESNEXT}.yml", definitions)


# --- preprocessing semantics ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real photograph (scikit-learn's sample china.jpg, 427x640) saved as PNG, lossless."""
    from sklearn.datasets import load_sample_image

    path = tmp_path_factory.mktemp("photo") / "china.png"
    cv2.imwrite(str(path), cv2.cvtColor(load_sample_image("china.jpg"), cv2.COLOR_RGB2BGR))
    return path


@pytest.mark.parametrize("transpose", [False, True], ids=["landscape", "portrait"])
def test_mxnet_preprocessing_matches_a_hand_computation(photo, tmp_path, transpose):
    path = photo
    if transpose:
        path = tmp_path / "portrait.png"
        cv2.imwrite(str(path), np.ascontiguousarray(cv2.imread(str(photo)).transpose(1, 0, 2)))
    steps = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml").models[0].datasets[0].preprocessing
    got = apply_steps(read_image(path), steps)

    bgr = cv2.imread(str(path))
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    # shorter side to 256, the longer int(256 * 640 / 427) = 383 (truncated, as the checker does)
    size = (383, 256) if not transpose else (256, 383)  # (width, height) for cv2
    resized = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC).astype(np.float32)
    top, left = (size[1] - 224) // 2, (size[0] - 224) // 2
    crop = resized[top : top + 224, left : left + 224]
    expected = (crop - np.array([124, 117, 104], np.float32)) / np.float32(59.88)
    assert got.shape == (224, 224, 3) and got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def test_ir_preprocessing_keeps_bgr_and_raw_values(photo):
    steps = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml").models[1].datasets[0].preprocessing
    got = apply_steps(read_image(photo), steps)
    bgr = cv2.resize(cv2.imread(str(photo)), (383, 256), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    np.testing.assert_array_equal(got, bgr[16:240, 79:303])


@pytest.mark.parametrize(
    "height, width, expected",
    [
        (427, 640, (256, 383)),
        (640, 427, (383, 256)),
        (300, 300, (256, 256)),
        (8, 8, (256, 256)),
    ],
    ids=["landscape", "portrait", "square", "upscale"],
)
def test_aspect_ratio_scale_greater(height, width, expected):
    assert resized_size(height, width, 256, "greater") == expected


@pytest.mark.parametrize("size, resize", [(224, 256), (32, 37), (299, 342)], ids=["224", "32", "299"])
def test_evaluation_steps_scale_the_256_224_ratio(size, resize):
    assert evaluation_steps(size) == (Resize(resize, "greater", "CUBIC"), Crop(size))


def test_top_classes_order_ties_by_index():
    assert top_classes(np.array([[0.1, 0.4, 0.4, 0.1]]), 3).tolist() == [[1, 2, 0]]


# --- data and model resolution errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "files, message",
    [
        ({"val.txt": ""}, "lists no images"),
        ({"val.txt": "a.png 1 2 x\n"}, "val.txt:1: expected"),
        ({"val.txt": "../a.png 1\n"}, "must be relative"),
        ({}, "val.txt' does not exist"),
    ],
    ids=["empty", "malformed", "escapes-folder", "missing"],
)
def test_annotation_errors(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(DatasetError, match=message):
        load_labelled_images(tmp_path, tmp_path / "val.txt")


def _touch(*paths: Path) -> None:
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def _plan(root: Path, **targets) -> list[tuple[str, str, str]]:
    config = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml")
    plan = plan_evaluations(config, Targets(**targets))
    return [(job.launcher.framework, job.precision, str(job.model_file.relative_to(root))) for job in plan]


def test_models_folders_resolve_as_accuracy_check_does(tmp_path):
    """A launcher's model is taken in each -m folder; an IR without model: is <entry>.xml there."""
    _touch(tmp_path / "ckpt" / "checkpoint-0-0000.params", tmp_path / "ckpt" / "checkpoint-0-symbol.json")
    _touch(tmp_path / "FP32" / f"{RESNEXT}.xml", tmp_path / "other" / "renamed.xml")
    assert _plan(tmp_path, models=(tmp_path / "ckpt",), framework="mxnet") == [
        ("mxnet", "original", "ckpt/checkpoint-0-0000.params")
    ]
    assert _plan(tmp_path, models=(tmp_path / "FP32", tmp_path / "other"), framework="dlsdk") == [
        ("openvino", "FP32", f"FP32/{RESNEXT}.xml"),
        ("openvino", "IR", "other/renamed.xml"),  # the only .xml in its folder
    ]


def test_an_ovzoo_output_root_is_searched_for_every_precision(tmp_path):
    folder = tmp_path / "public" / RESNEXT
    _touch(folder / "a04" / "checkpoint-0-0000.params", folder / "a04" / "checkpoint-0-symbol.json")
    _touch(folder / "FP16" / f"{RESNEXT}.xml", folder / "FP32-INT8" / f"{RESNEXT}.xml")
    assert _plan(tmp_path, models=(tmp_path,)) == [
        ("mxnet", "original", f"public/{RESNEXT}/a04/checkpoint-0-0000.params"),
        ("openvino", "FP16", f"public/{RESNEXT}/FP16/{RESNEXT}.xml"),
        ("openvino", "FP32-INT8", f"public/{RESNEXT}/FP32-INT8/{RESNEXT}.xml"),
    ]
    assert [
        p for _, p, _ in _plan(tmp_path, models=(tmp_path,), framework="openvino", precisions=("FP16",))
    ] == ["FP16"]
    with pytest.raises(AccuracyError, match="no FP32 IR .*ovzoo convert"):
        _plan(tmp_path, models=(tmp_path,), framework="openvino", precisions=("FP32",))


def test_target_devices_copy_launchers_without_one(tmp_path):
    _touch(tmp_path / f"{RESNEXT}.xml")
    config = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml")
    plan = plan_evaluations(config, Targets((tmp_path,), ("cpu", "GPU"), "openvino"))
    assert [job.device for job in plan] == ["CPU", "GPU"]
    with pytest.raises(AccuracyError, match="MXNet launcher on CPU only"):
        plan_evaluations(config, Targets((tmp_path,), ("GPU",), "mxnet"))


@pytest.mark.parametrize(
    "files, targets, message",
    [
        ((), {"framework": "mxnet"}, "no MXNet checkpoint at .*checkpoint-0-0000.params"),
        ((), {"framework": "openvino"}, "no IR at"),
        (("a.xml", "b.xml"), {"framework": "openvino"}, "more than one IR"),
        (("checkpoint-0-0000.params",), {"framework": "mxnet"}, "symbol .* is missing"),
        ((), {"framework": "caffe"}, "-tf caffe"),
        ((), {"devices": ("GPU",), "framework": "openvino"}, None),  # nothing is left: filtered out
    ],
    ids=["no-checkpoint", "no-ir", "two-irs", "no-symbol", "unknown-framework", "none-left"],
)
def test_model_resolution_errors(tmp_path, files, targets, message):
    _touch(*(tmp_path / f for f in files))
    config = load_accuracy_config(CONFIGS / f"{RESNEXT}.yml")
    if message is None:
        config = load_accuracy_config(_with_device(tmp_path, "CPU"), CONFIGS / "dataset_definitions.yml")
        message = "no launcher of the config is left"
    with pytest.raises(AccuracyError, match=message):
        plan_evaluations(config, Targets(models=(tmp_path,), **targets))


def _with_device(tmp_path: Path, device: str) -> Path:
    config = yaml.safe_load((CONFIGS / f"{RESNEXT}.yml").read_text())
    for entry in config["models"]:
        entry["launchers"][0]["device"] = device
    path = tmp_path / "with-device.yml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_cli_bad_config_exits_1_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("models: 3\n")
    code = run_command(
        "accuracy",
        [
            "-c",
            str(bad),
            "-d",
            str(CONFIGS / "dataset_definitions.yml"),
            "-s",
            str(tmp_path),
            "-a",
            str(tmp_path),
        ],
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "models: expected a non-empty list" in err[0]


# --- the whole pipeline on the trained digits model -----------------------------------------------------


@pytest.mark.slow
def test_digits_pipeline_meets_the_accuracy_targets(digits_zoo: DigitsZoo, tmp_path, capsys):
    """download (loopback mirror) -> convert FP32/FP16 -> quantize INT8 on real images -> accuracy, with
    -m naming the download/convert root (both launchers, every precision, in one run)."""
    code = run_command(
        "accuracy",
        [
            "-c",
            str(REPO_ROOT / "models" / digits_zoo.model.name / "accuracy-check.yml"),
            "-s",
            str(digits_zoo.data_dir),
            "-m",
            str(digits_zoo.models_dir),
            "-td",
            "CPU",
            "--inference_precision_hint",
            "f32",
            "--json",
            str(tmp_path / "acc.json"),
            "--no_progress",
        ],
    )
    assert code == 0
    table = capsys.readouterr().out
    result = json.loads((tmp_path / "acc.json").read_text())
    top1 = {r["precision"]: r["metrics"]["accuracy@top1"]["value"] for r in result["results"]}
    assert result["images"] == 360 and set(top1) == {"original", "FP32", "FP16", "FP32-INT8", "FP16-INT8"}
    assert top1["original"] >= 0.95
    assert top1["FP32"] == top1["original"]
    assert abs(top1["FP16"] - top1["original"]) <= 0.005
    assert abs(top1["FP32-INT8"] - top1["original"]) <= 0.01
    assert abs(top1["FP16-INT8"] - top1["original"]) <= 0.01
    assert "INT8 calibrated on dataset" in table and "digits_train" in table


def test_report_marks_synthetic_calibration_and_failed_metrics(tmp_path):
    from ovzoo.accuracy.config import AccuracyMetric
    from ovzoo.accuracy.evaluate import AccuracyReport, LauncherResult, MetricValue

    note = "INT8 calibrated on synthetic: 8 image-like images (ovzoo.images, seed 0), not real data"
    metric = AccuracyMetric("top1", 1, 0.6, abs_threshold=0.05, rel_threshold=0.1)
    report = AccuracyReport(
        DIGITS_CONFIG,
        "digits_test",
        tuple(f"{i}.png" for i in range(10)),
        "f32",
        (
            LauncherResult(
                "m",
                "openvino",
                "FP32-INT8",
                "CPU",
                tmp_path,
                10,
                (MetricValue(metric, 0.5, 0.55),),
                1.0,
                note=note,
            ),
        ),
    )
    text = format_report(report)
    assert "synthetic" in text and "-10.00" in text and "-5.00" in text and "50.00 FAILED" in text
    assert report.failed


@pytest.mark.parametrize(
    "value, abs_threshold, rel_threshold, failed",
    [
        (0.9, 0.0, 0.0, False),  # equal: no verdict needed
        (0.9000001, 0.0, 0.0, True),  # the checker's default tolerance is zero
        (0.895, 0.01, 0.0, True),  # a missing rel_threshold is 0: reached by any difference
        (0.895, 0.01, 0.02, False),
        (0.89, 0.01, 0.02, True),  # reaching the threshold fails (<=)
        (0.895, 0.01, 0.005, True),  # relative 0.0056 reaches 0.005
    ],
)
def test_reference_verdict_follows_accuracy_check(value, abs_threshold, rel_threshold, failed):
    from ovzoo.accuracy.config import AccuracyMetric

    assert AccuracyMetric("top1", 1, 0.9, abs_threshold, rel_threshold).failed(value) is failed


def test_run_accuracy_streams_the_real_dataset(tmp_path):
    """Library call without MXNet: the openvino entry of the digits config alone, every precision present."""
    config = yaml.safe_load(DIGITS_CONFIG.read_text())
    config["models"] = config["models"][1:]
    path = tmp_path / "ov-only.yml"
    path.write_text(yaml.safe_dump(config))
    from ovzoo.zoo.digits import export_split

    model = download_and_convert(tmp_path / "models", ("FP32",))
    export_split(tmp_path / "data", "test", count=50)
    report = run_accuracy(
        AccuracyOptions(
            path,
            tmp_path / "data",
            Targets((tmp_path / "models",)),
            "f32",
            definitions=CONFIGS / "dataset_definitions.yml",
            progress=False,
        )
    )
    (result,) = report.results
    assert (result.entry, result.precision, result.images) == (model.name, "FP32", 50)
    assert result.metrics[0].original is None and result.metrics[0].value >= 0.9
    assert len(result.predictions) == 50 and all(len(top) == 5 for top in result.predictions)


def test_dry_run_names_every_model_file_and_runs_nothing(tmp_path, capsys):
    folder = tmp_path / "public" / RESNEXT
    _touch(folder / "a04" / "checkpoint-0-0000.params", folder / "a04" / "checkpoint-0-symbol.json")
    _touch(folder / "FP32" / f"{RESNEXT}.xml")
    argv = ["-c", str(CONFIGS / f"{RESNEXT}.yml"), "-s", str(tmp_path), "-m", str(tmp_path), "-td", "CPU"]
    assert run_command("accuracy", [*argv, "--dry_run", "--json", str(tmp_path / "a.json")]) == 0
    printed = capsys.readouterr().out
    assert (
        "a04/checkpoint-0-0000.params (mxnet, CPU)" in printed
        and f"FP32/{RESNEXT}.xml (openvino, CPU)" in printed
    )
    assert not (tmp_path / "a.json").exists()
