"""``ovzoo demo --name``: any of the eight family members, checked before any work is done."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ovzoo.cli import demo as demo_cli
from ovzoo.demo import DEMO_MODEL, DemoOptions, demo_mirror, find_catalog_model, run_demo
from ovzoo.errors import ModelSelectionError
from ovzoo.vocabulary.layout import ir_path
from ovzoo.zoo.octave import OCTAVE_FAMILY, PUBLIC_MODELS
from support.family_checks import INT8_DEMO_MODELS, assert_separates_unseen_images


def test_the_eight_public_models_are_the_choices_and_resnext_50_the_default() -> None:
    assert len(PUBLIC_MODELS) == 8 and "octave-resnet-tiny-0.25" not in PUBLIC_MODELS
    assert set(PUBLIC_MODELS) <= set(OCTAVE_FAMILY)
    parser = demo_cli.build_parser()
    assert parser.parse_args([]).name == DEMO_MODEL == "octave-resnext-50-0.25"
    assert parser.parse_args(["--name", "octave-densenet-121-0.125"]).name == "octave-densenet-121-0.125"


def test_unknown_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        demo_cli.build_parser().parse_args(["--name", "octave-resnet-9000"])
    assert e.value.code == 2
    assert "octave-resnet-9000" in capsys.readouterr().err


def test_catalog_model_without_a_builder_fails_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    with pytest.raises(ModelSelectionError, match="no synthetic builder for 'octave-digits-tiny'"):
        run_demo(DemoOptions(output_dir=out, model_name="octave-digits-tiny"))
    assert not out.exists()


def test_each_model_has_its_own_mirror_folder(tmp_path: Path) -> None:
    assert demo_mirror(tmp_path, "octave-resnet-50-0.125") == tmp_path / "mirror" / "octave-resnet-50-0.125"


def _report_row(report: str, precision: str, check: str) -> list[str]:
    """The cells of the report's validation row for ``precision`` and ``check``."""
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and cells[1] == precision and cells[2] == check:
            return cells
    raise AssertionError(f"no {precision} {check} row in the report")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "min_cosine"), INT8_DEMO_MODELS.items())
def test_demo_passes_its_int8_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], synthetic_mirrors: Path, name: str, min_cosine: float
) -> None:
    """The CI conversion check of test_e2e, through the demo, with INT8 on top (exit 0: every check passed)."""
    out = tmp_path / "demo"
    status = demo_cli.main(["--name", name, "--output", str(out), "--seconds", "0.5"])
    assert status == 0, capsys.readouterr().err
    mirror = demo_mirror(out, name)
    shared = demo_mirror(synthetic_mirrors / name, name)
    if not shared.exists():  # the archive the demo synthesised serves the run's later tests (links: no copy)
        shutil.copytree(mirror, shared, copy_function=os.link)
    catalog = find_catalog_model(name)
    archive = json.loads((mirror / "synth.json").read_text())
    assert archive["size"] == catalog.files[0].size == (mirror / archive["file"]).stat().st_size
    assert not (out / "download" / catalog.subdirectory / archive["file"]).exists()  # unpacked, removed
    report = (out / "report.md").read_text()
    for check in ("parity.probs", "parity.top5", "shapes.octave", "cost.gflops"):
        assert _report_row(report, "FP32", check)[3] == "pass", check
    assert "no card" not in _report_row(report, "FP32", "cost.gflops")[5]
    agreement = _report_row(report, "FP16-INT8", "parity.top1_agreement")
    cosine = _report_row(report, "FP16-INT8", "parity.logit_cosine")
    assert agreement[3] == cosine[3] == "pass"
    # a margin over the descriptor's 0.75 (on 16 images of 1000 random classes whose top logits are close)
    assert float(agreement[4]) >= 0.8
    assert float(cosine[4].split()[1]) >= min_cosine
    assert _report_row(report, "FP16-INT8", "contract.bgr")[3] == "pass"
    assert float(_report_row(report, "FP16", "parity.top1_agreement")[4]) >= 0.9
    assert_separates_unseen_images(ir_path(out / "ir", catalog, "FP32"))
