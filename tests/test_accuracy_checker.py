"""The real accuracy checker (accuracy_check from openvino-dev 2023.3) takes ovzoo's configs as they are,
with the same command line as ``ovzoo accuracy``, and both tools agree image by image.

accuracy_check lives in its own interpreter (mxnet 1.9.1, numpy 1.23.5): ``make accuracy-check`` builds
.venv-accuracy-check from requirements-accuracy-check.lock and ``make test`` names it in
OVZOO_ACCURACY_CHECK_PYTHON. Without it these tests fail; a developer may set
OVZOO_SKIP_ACCURACY_CHECK=1 to skip them locally (never under CI).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ovzoo.accuracy.config import load_accuracy_config
from ovzoo.accuracy.evaluate import AccuracyReport, run_accuracy
from ovzoo.cli.__main__ import run_command
from ovzoo.cli.accuracy import build_parser, options_from_args
from ovzoo.vocabulary.precisions import ALL_PRECISIONS
from support.digits_pipeline import DIGITS_CONFIG, REPO_ROOT, DigitsZoo

pytestmark = pytest.mark.slow

CHECKER_ENV = "OVZOO_ACCURACY_CHECK_PYTHON"
SKIP_ENV = "OVZOO_SKIP_ACCURACY_CHECK"
DEFAULT_CHECKER = REPO_ROOT / ".venv-accuracy-check" / "bin" / "python"
DRIVER = REPO_ROOT / "tests" / "support" / "accuracy_checker_driver.py"
CONFIG_DIR = REPO_ROOT / "accuracy_configs"
DEFINITIONS = CONFIG_DIR / "dataset_definitions.yml"
CONFIGS = sorted(p for p in CONFIG_DIR.glob("*.yml") if p != DEFINITIONS)
# datasets whose images exist here, and the ovzoo.zoo model that goes with them
DATA_HERE = {"digits_test"}


@pytest.fixture(scope="module")
def checker_python() -> Path:
    path = Path(os.environ.get(CHECKER_ENV) or DEFAULT_CHECKER)
    if not (path.is_file() and (path.parent / "accuracy_check").is_file()):
        if os.environ.get(SKIP_ENV) == "1" and not os.environ.get("CI"):
            pytest.skip(f"{SKIP_ENV}=1 and no accuracy_check at {path}")
        pytest.fail(
            f"no accuracy_check interpreter at {path}: run 'make accuracy-check' (make test does) or set "
            f"{CHECKER_ENV}; developers may set {SKIP_ENV}=1 to skip",
            pytrace=False,
        )
    return path


def _accuracy_check(python: Path, argv: list[str], cwd: Path) -> str:
    """Run the real ``accuracy_check`` CLI; its log (stdout and stderr together, colour codes removed)."""
    done = subprocess.run(
        [str(python.parent / "accuracy_check"), *argv], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    log = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert done.returncode == 0, log[-3000:]
    return log


def _driver(python: Path, args: list[str], cwd: Path) -> object:
    done = subprocess.run(
        [str(python), str(DRIVER), *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ovzoo(argv: list[str]) -> AccuracyReport:
    """What ``ovzoo accuracy ARGV`` measures: the same parser and options as the command."""
    return run_accuracy(options_from_args(build_parser().parse_args([*argv, "--no_progress"])))


def _dataset(config: Path) -> str:
    (name,) = {d.name for entry in load_accuracy_config(config, DEFINITIONS).models for d in entry.datasets}
    return name


# --- every config: the checker's validation finds nothing but the missing data -------------------------

_MISSING = re.compile(r'Invalid value "(?P<path>[^"]+)" for [\w.]+: path does not exist')


def _set(path: str, value: object) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        *parents, last = path.split(".")
        node = config
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return edit


# one typo each in a copy of the digits config, and the word the checker's finding must name
BROKEN = {
    "interpolation": (_set("models.0.datasets.0.preprocessing.1.interpolation", "SPLINE"), "interpolation"),
    "top-k": (_set("models.0.datasets.0.metrics.1.top_k", "five"), "top_k"),
    "adapter": (_set("models.0.launchers.0.adapter", "clasification"), "clasification"),
    "threshold": (_set("models.1.datasets.0.metrics.0.abs_threshold", "small"), "abs_threshold"),
}


@dataclass(frozen=True)
class Findings:
    evaluations: list[dict]  # the driver's report: name, framework, errors, run_error
    other: list[str]  # findings that are not a missing file under the empty data or models folder


@pytest.fixture(scope="module")
def findings(checker_python, tmp_path_factory) -> dict[str, Findings]:
    """The checker's validation of every config, and of each broken copy, with an empty data folder
    (-s) and models folder (-m): config stem or BROKEN case -> its findings. One checker process."""
    work = tmp_path_factory.mktemp("checker-validation")
    for folder in ("data", "models"):
        (work / folder).mkdir()
    configs = {p.stem: p for p in CONFIGS}
    for case, (edit, _) in BROKEN.items():
        config = copy.deepcopy(yaml.safe_load(DIGITS_CONFIG.read_text()))
        edit(config)
        configs[case] = work / f"broken-{case}.yml"
        configs[case].write_text(yaml.safe_dump(config))
    argv: list[str] = []
    for path in configs.values():
        argv += [*(["--then"] if argv else []), "-c", str(path), "-d", str(DEFINITIONS)]
        argv += ["-s", "data", "-m", "models", "-td", "CPU"]
    reports = _driver(checker_python, ["validate", *argv], work)
    assert isinstance(reports, list) and len(reports) == len(configs)
    out = {}
    for name, evaluations in zip(configs, reports, strict=True):
        other = []
        for evaluation in evaluations:
            for where, message in [*evaluation["errors"], ["run", evaluation["run_error"] or ""]]:
                match = _MISSING.search(message)
                if not (match and match["path"].split("/")[0] in ("data", "models")):
                    other.append(f"{evaluation['name']} {where}: {message}")
        out[name] = Findings(evaluations, other)
    return out


@pytest.mark.parametrize("config", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_checker_validation_finds_only_the_missing_data(findings, config):
    found = findings[config.stem]
    assert found.other == []
    entries = load_accuracy_config(config, DEFINITIONS).models  # ovzoo's strict reader takes it too
    assert sorted(e["name"] for e in found.evaluations) == sorted(e.name for e in entries)
    for evaluation in found.evaluations:
        # the checker got as far as the data: the annotation file is what it stopped on
        assert "annotation_file: path does not exist" in evaluation["run_error"]


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_checker_validation_catches_a_broken_config(findings, case):
    """The check above can fail: one typo in a copy of a config is a finding that is not missing data."""
    other, word = findings[case].other, BROKEN[case][1]
    assert other and all(word in line for line in other), other


# --- configs with data here: both tools, the same command line, the same predictions -------------------

RUNNABLE = [p for p in CONFIGS if _dataset(p) in DATA_HERE]


def test_some_config_has_data_here():
    assert [p.stem for p in RUNNABLE] == ["octave-digits-tiny"]


# what the zoo holds for each launcher: the MXNet checkpoint and the IR of every precision
LAUNCHERS = [("mxnet", None), *(("openvino", p) for p in ALL_PRECISIONS)]


def _launcher_folder(config: Path, zoo: DigitsZoo, framework: str, precision: str | None) -> Path:
    """The -m folder a user points at for that launcher: the checkpoint's, or the IR's <PREC> folder."""
    for entry in load_accuracy_config(config, DEFINITIONS).models:
        for launcher in entry.launchers:
            folder = zoo.models_dir / "public" / entry.name.removesuffix("-mx")
            if launcher.framework == framework == "mxnet":
                (params,) = folder.glob(f"*/{launcher.model}")
                return params.parent
            if launcher.framework == framework and (folder / str(precision) / f"{entry.name}.xml").is_file():
                return folder / str(precision)
    raise AssertionError(f"the zoo has no {framework} {precision or ''} model for {config.name}")


def _checker_metrics(path: Path) -> dict[str, float]:
    with path.open(newline="") as f:
        return {row["metric_name"]: float(row["metric_value"]) for row in csv.DictReader(f)}


@pytest.mark.parametrize("config", RUNNABLE, ids=[p.stem for p in RUNNABLE])
@pytest.mark.parametrize("framework, precision", LAUNCHERS, ids=[p or f for f, p in LAUNCHERS])
def test_checker_and_ovzoo_agree_image_by_image(
    checker_python, digits_zoo, config, framework, precision, tmp_path
):
    """One evaluation per command line (the checker's stored predictions hold one), at f32 so that
    OpenVINO 2023.3 and today's runtime compute the same numbers."""
    folder = _launcher_folder(config, digits_zoo, framework, precision)
    argv = ["-c", str(config), "-d", str(DEFINITIONS), "-s", str(digits_zoo.data_dir), "-td", "CPU"]
    argv += ["--inference_precision_hint", "f32", "-tf", framework, "-m", str(folder)]
    stored, figures = tmp_path / "predictions.pickle", tmp_path / "figures.csv"
    log = _accuracy_check(
        checker_python, [*argv, "--stored_predictions", str(stored), "--csv_result", str(figures)], tmp_path
    )
    assert "FAILED" not in log and "accuracy@top1: " in log, log[-2000:]
    theirs = _driver(checker_python, ["predictions", str(stored)], tmp_path)
    assert isinstance(theirs, dict)

    report = _ovzoo(argv)
    (result,) = report.results
    assert (result.framework, result.model_file.parent) == (framework, folder)
    assert set(theirs) == set(report.files) and len(report.files) == 360
    for file, top in zip(report.files, result.predictions, strict=True):
        assert sorted(top[:1]) == theirs[file]["1"], f"{folder.name} {file}"
        assert sorted(top[:5]) == theirs[file]["5"], f"{folder.name} {file}"
    assert {m.name: m.value for m in result.metrics} == _checker_metrics(figures)
    assert not report.failed


@pytest.mark.parametrize("config", RUNNABLE, ids=[p.stem for p in RUNNABLE])
def test_every_ir_passes_in_both_tools_at_the_device_default(checker_python, digits_zoo, config, tmp_path):
    """The command line a user types: every IR precision in one run, the device's own inference precision
    (bf16 on CPUs with AVX512-BF16, where results move a little): no FAILED in either tool."""
    folders = [str(_launcher_folder(config, digits_zoo, "openvino", p)) for p in ALL_PRECISIONS]
    argv = ["-c", str(config), "-d", str(DEFINITIONS), "-s", str(digits_zoo.data_dir), "-td", "CPU"]
    argv += ["-tf", "openvino", "-m", *folders]
    log = _accuracy_check(checker_python, argv, tmp_path)
    assert log.count("accuracy@top1: ") == 4 and "FAILED" not in log, log[-3000:]
    assert run_command("accuracy", [*argv, "--no_progress"]) == 0
