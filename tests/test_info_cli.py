"""``ovzoo info`` and the shared model-selection flags, through the real dispatcher and a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ovzoo.cli.__main__ import main as ovzoo_main
from support.broken_descriptors import BROKEN, Broken
from support.catalog import REPO_ROOT, valid_descriptor, write_model

INFO_KEYS = {
    "name",
    "description",
    "framework",
    "license_url",
    "precisions",
    "quantization_output_precisions",
    "subdirectory",
    "task_type",
    "input_info",
    "model_config",
    "accuracy_config",
}


def run_info(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = ovzoo_main(["info", *args])
    except SystemExit as e:  # argparse usage errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A catalog with three models: alpha-1, alpha-2, beta."""
    models = tmp_path / "catalog"
    for name in ("alpha-1", "alpha-2", "beta"):
        data = valid_descriptor()
        data["description"] = f"model {name}"
        write_model(models, name, data)
    return models


def names_of(out: str) -> list[str]:
    return [entry["name"] for entry in json.loads(out)]


# --- selection -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--all"], ["alpha-1", "alpha-2", "beta"]),
        (["--name", "beta"], ["beta"]),
        (["--name", "alpha-*"], ["alpha-1", "alpha-2"]),
        (["--name", "beta,alpha-?"], ["beta", "alpha-1", "alpha-2"]),  # pattern order kept
        (["--name", "alpha-1,alpha-*"], ["alpha-1", "alpha-2"]),  # no duplicates
        (["--name", "*"], ["alpha-1", "alpha-2", "beta"]),
    ],
    ids=["all", "exact", "glob", "pattern-order", "dedup", "star"],
)
def test_selection_by_name(
    capsys: pytest.CaptureFixture[str], root: Path, args: list[str], expected: list[str]
) -> None:
    code, out, err = run_info(capsys, "--models_dir", str(root), *args)
    assert (code, err) == (0, "")
    assert names_of(out) == expected


def test_selection_by_list_file(capsys: pytest.CaptureFixture[str], root: Path, tmp_path: Path) -> None:
    listing = tmp_path / "models.lst"
    listing.write_text("# the ones we ship\n\nbeta   # trailing comment\n  alpha-2\n")
    code, out, _ = run_info(capsys, "--models_dir", str(root), "--list", str(listing))
    assert code == 0
    assert names_of(out) == ["beta", "alpha-2"]


def test_print_all_lists_names_one_per_line(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    code, out, _ = run_info(capsys, "--models_dir", str(root), "--print_all")
    assert (code, out) == (0, "alpha-1\nalpha-2\nbeta\n")


@pytest.mark.parametrize(
    "args, code, needle",
    [
        (["--name", "gamma"], 1, '--name: no model matches "gamma"'),
        (["--name", "alpha-3"], 1, 'no model matches "alpha-3" (did you mean "alpha-1"?)'),
        (["--name", "beta,"], 2, "--name: empty pattern"),
        ([], 2, "one of --name, --list, --all or --print_all is required"),
        (["--all", "--name", "beta"], 2, "not allowed with argument"),
        (["--list", "/nonexistent/models.lst"], 2, "--list: cannot read /nonexistent/models.lst"),
    ],
    ids=["no-match", "no-match-suggests", "empty-pattern", "no-selection", "two-selections", "missing-list"],
)
def test_selection_errors(
    capsys: pytest.CaptureFixture[str], root: Path, args: list[str], code: int, needle: str
) -> None:
    got, out, err = run_info(capsys, "--models_dir", str(root), *args)
    assert got == code
    assert out == ""
    assert needle in err


@pytest.mark.parametrize(
    "content, needle",
    [
        ("beta\ngamma\n", ':2: no model matches "gamma"'),
        ("beta alpha-1\n", ":1: expected one pattern per line, got 2"),
        ("# only a comment\n", "no model patterns in the file"),
    ],
    ids=["no-match-names-line", "two-words", "no-patterns"],
)
def test_list_file_errors(
    capsys: pytest.CaptureFixture[str], root: Path, tmp_path: Path, content: str, needle: str
) -> None:
    listing = tmp_path / "models.lst"
    listing.write_text(content)
    code, _, err = run_info(capsys, "--models_dir", str(root), "--list", str(listing))
    assert code == 1
    assert f"{listing}" in err and needle in err


def test_models_dir_from_environment(
    capsys: pytest.CaptureFixture[str], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVZOO_MODELS_DIR", str(root))
    code, out, _ = run_info(capsys, "--print_all")
    assert (code, out) == (0, "alpha-1\nalpha-2\nbeta\n")


# --- output ----------------------------------------------------------------------------------------


def test_info_record_matches_the_descriptor(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    (root / "beta" / "accuracy-check.yml").write_text("models: []\n")
    code, out, _ = run_info(capsys, "--models_dir", str(root), "--name", "alpha-1,beta")
    assert code == 0
    alpha, beta = json.loads(out)
    assert INFO_KEYS <= alpha.keys()
    assert alpha["description"] == "model alpha-1"
    assert alpha["subdirectory"] == "public/alpha-1"
    assert alpha["precisions"] == ["FP16", "FP32"]
    assert alpha["quantization_output_precisions"] == ["FP16-INT8", "FP32-INT8"]
    assert alpha["input_info"] == [{"name": "data", "shape": [1, 3, 224, 224], "layout": "NCHW"}]
    assert alpha["output_info"] == [{"name": "prob", "shape": [1, 1000], "layout": None}]
    assert alpha["card"] == {"gflops": 1.5, "mparams": 2.5, "accuracy": {"top1": 70.0, "top5": 90.0}}
    assert Path(alpha["model_config"]) == (root / "alpha-1" / "model.yml").resolve()
    assert alpha["accuracy_config"] is None
    assert Path(beta["accuracy_config"]) == (root / "beta" / "accuracy-check.yml").resolve()


def test_extras_are_left_out_when_not_declared(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = valid_descriptor()
    for key in ("output_info", "card", "validation", "quantizable"):
        del data[key]
    write_model(tmp_path, "plain", data)
    code, out, _ = run_info(capsys, "--models_dir", str(tmp_path), "--all")
    (record,) = json.loads(out)
    assert code == 0
    assert "output_info" not in record and "card" not in record
    assert record["quantization_output_precisions"] == []


def test_repository_catalog(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OVZOO_MODELS_DIR", raising=False)
    code, out, _ = run_info(capsys, "--name", "octave-*")
    assert code == 0
    records = {r["name"]: r for r in json.loads(out)}
    assert {"octave-resnext-50-0.25", "octave-resnet-26-0.25"} <= records.keys()
    resnext = records["octave-resnext-50-0.25"]
    assert resnext["framework"] == "mxnet" and resnext["task_type"] == "classification"
    assert resnext["card"]["accuracy"] == {"top1": 78.772, "top5": 94.18}
    assert resnext["output_info"][0]["name"] == "prob"


# --- broken catalogs: exit 1, one line, no traceback --------------------------------------------------

REPRESENTATIVE = [
    "missing-license",
    "unknown-top-key",
    "sha256-given-as-bare-sha384",
    "name-dotdot",
    "size-boolean",
    "invalid-yaml",
    "empty-file",
    "source-ftp",
]


@pytest.mark.parametrize("case", [c for c in BROKEN if c.id in REPRESENTATIVE], ids=lambda c: c.id)
def test_broken_descriptor_exits_1_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: Broken
) -> None:
    path = write_model(tmp_path, "m", case.descriptor())
    code, out, err = run_info(capsys, "--models_dir", str(tmp_path), "--all")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err and 'model "m"' in err
    if case.field:
        assert f": {case.field}: " in err


def test_duplicate_names_exit_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_model(tmp_path / "a", "twin", valid_descriptor())
    write_model(tmp_path / "b", "twin", valid_descriptor())
    code, _, err = run_info(capsys, "--models_dir", str(tmp_path), "--print_all")
    assert code == 1
    assert 'model "twin": duplicate model name' in err and err.count("\n") == 1


def run_subprocess(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}
    return subprocess.run(
        [sys.executable, "-m", "ovzoo.cli", "info", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_real_process_broken_catalog(tmp_path: Path) -> None:
    data = valid_descriptor()
    data["files"][0]["checksum"] = "ab" * 32
    path = write_model(tmp_path, "x", data)
    result = run_subprocess("--models_dir", str(tmp_path), "--all")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f'ovzoo info: error: {path}: model "x": files[0].checksum: expected 96 hex digits '
        "(sha384), got 64; a sha256 digest is written as {$type: sha256, value: <hex>}\n"
    )


@pytest.mark.parametrize(
    "args, code", [([], 2), (["--name", "nothing-like-it"], 1)], ids=["no-flag", "no-match"]
)
def test_real_process_exit_codes(root: Path, args: list[str], code: int) -> None:
    result = run_subprocess("--models_dir", str(root), *args)
    assert result.returncode == code
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_real_process_prints_json(root: Path) -> None:
    result = run_subprocess("--models_dir", str(root), "--all")
    assert result.returncode == 0, result.stderr
    assert names_of(result.stdout) == ["alpha-1", "alpha-2", "beta"]
