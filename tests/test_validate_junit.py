"""``ovzoo validate --junit_xml``: the file parses back as JUnit, one case per model, precision and check,
and a broken IR shows up as a failure that names the check, the measured value and the limit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ovzoo.cli.validate import main as validate_main
from ovzoo.convert.converter import convert_model
from ovzoo.validate.checks import Check, ValidationReport
from ovzoo.validate.junit import junit_tree
from ovzoo.vocabulary.layout import ir_path
from support.broken_irs import DEFECTS, write_broken_ir
from support.checkpoints import tiny_checkpoint, tiny_descriptor_yaml, tiny_model


def _cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {(case.get("classname", ""), case.get("name", "")): case for case in root.iter("testcase")}


def test_one_case_per_check_and_failures_carry_measured_and_limit() -> None:
    report = ValidationReport(
        "m",
        (
            Check("parity.reference", False, "unavailable", "MXNet reference", "checkpoint not found"),
            Check("cost.gflops", True, "6.4452 G", "6.444 G +- 1.0%", "", "FP32"),
            Check("cost.gflops", False, "6.6 G", "6.444 G +- 1.0%", "2.42% off the card", "FP16"),
        ),
    )
    root = ET.fromstring(ET.tostring(junit_tree([report]).getroot()))
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "3", "2")
    (suite,) = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("m", "3", "2")
    cases = _cases(root)
    assert set(cases) == {
        ("m.model", "parity.reference"),
        ("m.FP32", "cost.gflops"),
        ("m.FP16", "cost.gflops"),
    }
    assert cases[("m.FP32", "cost.gflops")].find("failure") is None
    failure = cases[("m.FP16", "cost.gflops")].find("failure")
    assert failure is not None
    assert failure.get("type") == "cost.gflops"
    assert failure.get("message") == "measured 6.6 G, limit 6.444 G +- 1.0%: 2.42% off the card"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    root = tmp_path_factory.mktemp("junit")
    download_dir, ir_dir = root / "download", root / "ir"
    tiny_checkpoint(download_dir)
    model = tiny_model()
    convert_model(model, download_dir, ir_dir, ("FP32",))
    models_dir = root / "models"
    (models_dir / model.name).mkdir(parents=True)
    (models_dir / model.name / "model.yml").write_text(tiny_descriptor_yaml(model))
    return model, download_dir, ir_dir, models_dir


def _run(tiny: tuple, ir_dir: Path, junit: Path) -> int:
    model, download_dir, _, models_dir = tiny
    argv = ["--name", model.name, "--models_dir", str(models_dir), "-d", str(download_dir)]
    return validate_main(
        [*argv, "-o", str(ir_dir), "--precisions", "FP32", "--images", "4", "--junit_xml", str(junit)]
    )


def test_good_ir_gives_only_passing_cases(tiny: tuple, tmp_path: Path) -> None:
    junit = tmp_path / "reports" / "validate.xml"
    assert _run(tiny, tiny[2], junit) == 0
    root = ET.parse(junit).getroot()
    cases = _cases(root)
    assert root.get("failures") == "0" and int(root.get("tests", "0")) == len(cases) > 10
    assert ("tiny-octave.FP32", "parity.logits") in cases
    assert not list(root.iter("failure"))
    assert not [p for p in junit.parent.iterdir() if p != junit]  # no temporary left behind


@pytest.mark.parametrize(
    ("defect", "check_name", "words"),
    [
        pytest.param(
            "output-named-softmax", "contract.output", ["limit prob [1,10]", "no output tensor"], id="output"
        ),
        pytest.param(
            "stem-shape-changed",
            "shapes.layers",
            ["layers match", "limit all named layers", "IR shape [1, 8, 15, 15]"],
            id="stem-shape",
        ),
        pytest.param(
            "probabilities-unnormalised", "behaviour.sum_to_one", ["limit <= 1e-05", "sum to 1.01"], id="sum"
        ),
    ],
)
def test_broken_ir_is_a_failed_case_naming_the_check(
    tiny: tuple, tmp_path: Path, defect: str, check_name: str, words: list[str]
) -> None:
    model = tiny[0]
    broken = tmp_path / "broken"
    write_broken_ir(ir_path(tiny[2], model, "FP32"), ir_path(broken, model, "FP32"), DEFECTS[defect])
    junit = tmp_path / "validate.xml"
    assert _run(tiny, broken, junit) == 1  # exit code as without --junit_xml
    root = ET.parse(junit).getroot()
    failed = {
        case.get("name"): case.find("failure")
        for case in root.iter("testcase")
        if case.find("failure") is not None
    }
    assert check_name in failed, sorted(failed)
    message = failed[check_name].get("message", "")
    assert message.startswith("measured ") and all(w in message for w in words), message
    assert root.get("failures") == str(len(failed))
