"""``ovzoo export --format ovms``: the repository layout, config.json against the Model Server's own
schema, byte-identical re-exports, merging, and failures that leave the repository as it was."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from ovzoo.errors import ExportError
from ovzoo.export.repository import ExportOptions, export_models
from support.cli_process import run_ovzoo
from support.digits_pipeline import digits_model
from support.model_repository import DIGITS, check_ovms_config, converted_digits


@pytest.fixture(scope="module")
def ir_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return converted_digits(tmp_path_factory.mktemp("zoo"))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def export(ir_dir: Path, repo: Path, **kwargs):
    return export_models([digits_model()], ExportOptions(ir_dir, repo, **kwargs))


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return run_ovzoo("export", *args)


def test_one_precision_gives_the_model_name_a_version_folder_and_a_valid_config(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    report = export(ir_dir, repo, precisions=("FP32",))
    assert report.ok and report.config_changed
    source = ir_dir / "public" / DIGITS / "FP32" / f"{DIGITS}.xml"
    version = repo / DIGITS / "1"
    assert sorted(p.name for p in version.iterdir()) == [f"{DIGITS}.bin", f"{DIGITS}.xml"]
    for suffix in (".xml", ".bin"):  # hard links: no second copy of the weights
        assert os.stat(version / f"{DIGITS}{suffix}").st_ino == os.stat(source.with_suffix(suffix)).st_ino
    config = check_ovms_config(repo / "config.json")
    assert config == {
        "model_config_list": [
            {
                "config": {
                    "name": DIGITS,
                    "base_path": DIGITS,
                    "target_device": "CPU",
                    "shape": {"data": "(1,3,32,32)"},
                    "layout": {"data": "NCHW"},
                    "plugin_config": {"PERFORMANCE_HINT": "THROUGHPUT"},
                }
            }
        ]
    }
    assert not [p for p in repo.rglob(".*")], "no temporary file or folder left behind"


def test_several_precisions_are_served_under_names_with_the_precision(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    export(ir_dir, repo, precisions=("FP16", "FP32"), version=3)
    config = check_ovms_config(repo / "config.json")
    assert [e["config"]["name"] for e in config["model_config_list"]] == [f"{DIGITS}-fp16", f"{DIGITS}-fp32"]
    for precision in ("fp16", "fp32"):
        assert (repo / f"{DIGITS}-{precision}" / "3" / f"{DIGITS}.xml").is_file()


def test_exporting_twice_gives_the_same_bytes(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    export(ir_dir, repo, precisions=("FP16", "FP32"))
    first = snapshot(repo)
    again = export(ir_dir, repo, precisions=("FP16", "FP32"))
    assert {v.action for v in again.exported} == {"unchanged"} and not again.config_changed
    assert snapshot(repo) == first


def test_merging_keeps_other_models_and_keys_a_user_added(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    other = {"config": {"name": "resnet", "base_path": "/models/resnet", "nireq": 4}}
    mine = {"config": {"name": DIGITS, "base_path": "old", "model_version_policy": {"all": {}}}}
    pipelines = [{"name": "p", "inputs": ["x"], "nodes": [], "outputs": []}]
    (repo / "config.json").write_text(
        json.dumps({"model_config_list": [other, mine], "pipeline_config_list": pipelines})
    )
    export(ir_dir, repo, precisions=("FP32",))
    config = json.loads((repo / "config.json").read_text())
    assert config["model_config_list"][0] == other
    entry = config["model_config_list"][1]["config"]
    assert entry["base_path"] == DIGITS and entry["model_version_policy"] == {"all": {}}
    assert config["pipeline_config_list"] == pipelines


def test_a_new_version_beside_an_old_one(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    export(ir_dir, repo, precisions=("FP32",))
    refused = export(ir_dir, repo, precisions=("FP16",))
    assert re.search(r"version 1 already exists .* \(--version 2\)", str(refused.failed[DIGITS]))
    export(ir_dir, repo, precisions=("FP16",), version=2)
    assert sorted(p.name for p in (repo / DIGITS).iterdir()) == ["1", "2"]
    check_ovms_config(repo / "config.json")


@pytest.mark.parametrize("problem", ["missing-ir", "version-with-other-bytes", "broken-config"])
def test_failures_leave_the_repository_as_it_was(ir_dir, tmp_path, problem):
    repo = tmp_path / "repo"
    export(ir_dir, repo, precisions=("FP32",))
    if problem == "missing-ir":
        kwargs = {"precisions": ("FP32", "FP16-INT8")}  # no INT8 IR was made
        expected = r"FP16-INT8: no IR at .*FP16-INT8"
    elif problem == "version-with-other-bytes":
        (repo / DIGITS / "1" / f"{DIGITS}.bin").unlink()
        (repo / DIGITS / "1" / f"{DIGITS}.bin").write_bytes(b"not the weights")
        kwargs = {"precisions": ("FP32",)}
        expected = "version 1 already exists"
    else:
        (repo / "config.json").write_text('{"model_config_list": [')
        kwargs = {"precisions": ("FP32",)}
        expected = "config.json: can't read it as JSON"
    before = snapshot(repo)
    try:
        report = export(ir_dir, repo, **kwargs)
        message = str(report.failed[DIGITS])
    except ExportError as e:
        message = str(e)
    assert re.search(expected, message), message
    assert snapshot(repo) == before


def test_dry_run_writes_nothing(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    report = export(ir_dir, repo, precisions=("FP32",), dry_run=True)
    assert report.dry_run and report.config_changed and [v.action for v in report.exported] == ["link"]
    assert not repo.exists()


def test_cli_exports_and_reports_errors_in_one_line(ir_dir, tmp_path):
    repo = tmp_path / "repo"
    ok = run_cli("--name", DIGITS, "-d", str(ir_dir), "-o", str(repo), "--precisions", "FP32")
    assert ok.returncode == 0, ok.stderr
    assert f"served as {DIGITS}" in ok.stdout and (repo / "config.json").is_file()
    missing = run_cli("--name", DIGITS, "-d", str(tmp_path / "nothing"), "-o", str(repo))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert f'ovzoo export: error: model "{DIGITS}": FP16: no IR at' in missing.stderr
    usage = run_cli("--name", DIGITS, "-d", str(ir_dir))  # no -o
    assert usage.returncode == 2 and "-o/--output_dir" in usage.stderr
