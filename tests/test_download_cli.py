"""``ovzoo download``: exit codes, the FAILED list, JSON progress lines, usage errors, default cache."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from ovzoo.catalog.loader import MODELS_DIR_ENV
from ovzoo.cli.__main__ import main
from support.catalog import REPO_ROOT
from support.downloads import checksum_of, leftovers, payload, write_descriptor
from support.http_faults import FaultServer, running_fault_server

DATA = payload(300_000, seed=11)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with running_fault_server() as running:
        yield running


@pytest.fixture
def models_dir(server: FaultServer, tmp_path: Path) -> Path:
    root = tmp_path / "models"
    write_descriptor(root, "good-a", [("a.bin", DATA, server.add("a.bin", DATA))])
    write_descriptor(root, "good-b", [("b.bin", DATA[::-1], server.add("b.bin", DATA[::-1]))])
    write_descriptor(
        root, "missing", [("c.bin", DATA[:1000], server.url("nowhere/c.bin"))]
    )  # not cached by the others
    return root


def download(*argv: str) -> int:
    try:
        return main(["download", *argv])
    except SystemExit as e:  # argparse's own usage errors
        return int(e.code or 0)


def base_args(tmp_path: Path, models_dir: Path) -> list[str]:
    return [
        "--models_dir",
        str(models_dir),
        "-o",
        str(tmp_path / "out"),
        "--cache_dir",
        str(tmp_path / "cache"),
    ]


def test_success_exits_0_with_the_omz_layout(tmp_path: Path, models_dir: Path) -> None:
    assert download(*base_args(tmp_path, models_dir), "--name", "good-*", "-j", "2") == 0
    assert leftovers(tmp_path / "out") == ["public/good-a/a.bin", "public/good-b/b.bin"]
    assert (tmp_path / "out/public/good-a/a.bin").read_bytes() == DATA


def test_a_failed_model_exits_1_and_is_listed(
    tmp_path: Path, models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = download(*base_args(tmp_path, models_dir), "--all", "--num_attempts", "1")
    err = capsys.readouterr().err
    assert code == 1
    assert err.endswith("FAILED:\nmissing\n")
    assert 'model "missing": file "c.bin"' in err and "HTTP 404" in err
    assert "Traceback" not in err
    assert (tmp_path / "out/public/good-a/a.bin").read_bytes() == DATA


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--name", "good-a", "--jobs", "0"],
        ["--name", "good-a", "--num_attempts", "0"],
        ["--name", "good-a", "--timeout", "-1"],
        ["--name", "good-a", "--progress_format", "xml"],
        ["--name", "good-a", "--mirror", "ftp://example.com/"],
        ["--name", "good-a", "--all"],
    ],
    ids=[
        "no-selection",
        "zero-jobs",
        "zero-attempts",
        "negative-timeout",
        "bad-progress-format",
        "ftp-mirror",
        "name-and-all",
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, models_dir: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert download(*base_args(tmp_path, models_dir), *argv) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_json_progress_is_one_event_per_line_in_order(
    tmp_path: Path, models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        *base_args(tmp_path, models_dir),
        "--all",
        "--num_attempts",
        "1",
        "--progress_format",
        "json",
        "-j",
        "3",
    ]
    assert download(*argv) == 1
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for model in ("good-a", "good-b", "missing"):
        own = [e for e in events if e["model"] == model]
        kinds = [e["$type"] for e in own]
        assert kinds[0] == "model_download_begin" and own[0]["num_files"] == 1
        assert kinds[1] == "model_file_download_begin" and own[1]["size"] == (
            1000 if model == "missing" else len(DATA)
        )
        assert kinds[-2:] == ["model_file_download_end", "model_download_end"]
        assert own[-1]["successful"] is (model != "missing")
        assert set(kinds[2:-2]) <= {"model_file_download_progress"}


def test_print_all_lists_the_catalog(
    tmp_path: Path, models_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert download("--models_dir", str(models_dir), "--print_all") == 0
    assert capsys.readouterr().out.split() == ["good-a", "good-b", "missing"]


def test_the_default_cache_comes_from_the_environment(
    tmp_path: Path, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OVZOO_CACHE_DIR", str(tmp_path / "env-cache"))
    assert download("--models_dir", str(models_dir), "-o", str(tmp_path / "out"), "--name", "good-a") == 0
    digest = checksum_of(DATA).value
    assert (tmp_path / "env-cache" / "v1" / "sha384" / digest[:2] / digest[2:]).read_bytes() == DATA


# --- bundled sources: a file shipped beside model.yml ---------------------------------------------


def test_the_bundled_digits_model_downloads_with_no_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MODELS_DIR_ENV, raising=False)  # the repository's own catalog
    out = tmp_path / "out"
    # an empty cache, so the bytes must come from the bundled source itself
    argv = ["--name", "octave-digits-tiny", "-o", str(out), "--cache_dir", str(tmp_path / "cache")]
    assert download(*argv) == 0
    folder = out / "public" / "octave-digits-tiny"
    # verified, then unpacked (the archive itself is removed, as omz_downloader does)
    with tarfile.open(REPO_ROOT / "models" / "octave-digits-tiny" / "octave-digits-tiny.tar") as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        assert leftovers(folder) == sorted(m.name for m in members)
        for member in members:
            packed = archive.extractfile(member)
            assert packed is not None and (folder / member.name).read_bytes() == packed.read()


def test_a_bundled_file_with_the_wrong_checksum_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_descriptor(tmp_path / "models", "bundled", [("w.bin", DATA, "file:///unused")])
    config = root / "bundled" / "model.yml"
    descriptor = yaml.safe_load(config.read_text(encoding="utf-8"))
    descriptor["files"][0]["source"] = {"$type": "bundled", "path": "w.bin"}
    config.write_text(yaml.safe_dump(descriptor, sort_keys=False), encoding="utf-8")
    (root / "bundled" / "w.bin").write_bytes(DATA[::-1])  # right size, other bytes
    code = download(*base_args(tmp_path, root), "--name", "bundled", "--num_attempts", "1")
    err = capsys.readouterr().err
    assert code == 1
    assert err.endswith("FAILED:\nbundled\n") and "Traceback" not in err
    assert (
        f'model "bundled": file "w.bin": {(root / "bundled" / "w.bin").resolve().as_uri()}: sha384 is ' in err
    )
    assert f"expected {checksum_of(DATA).value}" in err
    assert leftovers(tmp_path / "out") == []  # nothing at the final path, no .part left
    assert (root / "bundled" / "w.bin").read_bytes() == DATA[::-1]  # the bundled file is left alone
