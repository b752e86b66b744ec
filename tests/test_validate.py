"""The validator: its IR cost counting (the octave check: test_validate_octave.py), and that it passes a good IR and fails
IRs that are wrong in one way each, on the right check with the right reason."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset8 as ops
import pytest

from ovzoo.catalog.model import ModelCard
from ovzoo.cli.validate import main as validate_main
from ovzoo.convert.converter import convert_model
from ovzoo.images import image_like_batch
from ovzoo.validate import validate_model, validate_models
from ovzoo.validate.cost import count_cost
from ovzoo.validate.inference import IrRunner
from ovzoo.validate.report import format_reports, write_json
from ovzoo.vocabulary.layout import ir_path
from support.broken_irs import DEFECTS, write_broken_ir
from support.checkpoints import tiny_checkpoint, tiny_descriptor_yaml, tiny_model, with_args

# -- cost counting on a hand-built IR ---------------------------------------------------------------


def _small_network() -> ov.Model:
    """conv 3->8 3x3 (+bias) -> relu -> branch sum -> avgpool 2x2 -> global mean -> matmul 8->5 (+bias) -> softmax."""
    rng = np.random.default_rng(0)
    data = ops.parameter([1, 3, 8, 8], np.float32, name="data")
    conv = ops.convolution(
        data, ops.constant(rng.normal(size=(8, 3, 3, 3)).astype(np.float32)), [1, 1], [1, 1], [1, 1], [1, 1]
    )
    biased = ops.add(conv, ops.constant(rng.normal(size=(1, 8, 1, 1)).astype(np.float32)))
    relu = ops.relu(biased)
    summed = ops.add(relu, biased)  # two activations
    pooled = ops.avg_pool(summed, [2, 2], [0, 0], [0, 0], [2, 2], True)
    mean = ops.reduce_mean(pooled, ops.constant(np.array([2, 3], np.int64)), False)
    logits = ops.add(
        ops.matmul(mean, ops.constant(rng.normal(size=(5, 8)).astype(np.float32)), False, True),
        ops.constant(np.zeros(5, np.float32)),
    )
    prob = ops.softmax(logits, 1)
    return ov.Model([prob.output(0)], [data], "small")


# Worked out by hand from the module docstring of ovzoo.validate.cost
SMALL_PARAMETERS = 8 * 3 * 9 + 8 + 5 * 8 + 5
SMALL_MACS = 8 * 8 * 8 * 27 + 5 * 8
SMALL_ELEMENTWISE = (
    512  # conv bias, 1 per element
    + 2 * 512  # relu
    + 3 * 512  # sum of two activations
    + 4 * 8 * 4 * 4  # avg-pool 2x2 per output element
    + 8 * 4 * 4  # global mean per input element
    + 5  # classifier bias
    + 5 * 5
)  # softmax


@pytest.mark.parametrize("weights", ["fp32", "fp16-compressed"])
def test_cost_counts_weights_and_flops_by_the_documented_rules(weights: str, tmp_path: Path) -> None:
    model = _small_network()
    if weights == "fp16-compressed":  # weights become Constant f16 -> Convert: the counts must not change
        ov.save_model(model, tmp_path / "small.xml", compress_to_fp16=True)
        model = ov.Core().read_model(tmp_path / "small.xml")
    cost = count_cost(model)
    assert (cost.parameters, cost.macs, cost.elementwise_flops) == (
        SMALL_PARAMETERS,
        SMALL_MACS,
        SMALL_ELEMENTWISE,
    )
    assert cost.flops == 2 * SMALL_MACS + SMALL_ELEMENTWISE


# -- whole-IR validation on the tiny checkpoint ------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """Download dir with the tiny checkpoint and an IR dir with its good FP32 and FP16 IRs."""
    root = tmp_path_factory.mktemp("validate")
    download_dir, ir_dir = root / "download", root / "ir"
    tiny_checkpoint(download_dir)
    model = tiny_model()
    convert_model(model, download_dir, ir_dir, ("FP32", "FP16"))
    return model, download_dir, ir_dir


def test_good_ir_passes_every_check(tiny: tuple) -> None:
    model, download_dir, ir_dir = tiny
    report = validate_model(model, download_dir, ir_dir, ("FP32", "FP16"), reference="mxnet", images=8)
    assert report.passed, report.failed
    names = {check.name for check in report.checks}
    assert {
        "contract.input",
        "contract.output",
        "contract.preprocessing",
        "contract.bgr",
        "shapes.layers",
        "cost.params",
        "cost.gflops",
        "behaviour.finite",
        "behaviour.sum_to_one",
        "behaviour.deterministic",
        "behaviour.batch",
        "parity.logits",
        "parity.probs",
        "parity.top5",
        "parity.top1_agreement",
        "parity.logit_cosine",
    } <= names
    assert float(report.check("parity.logits", "FP32").measured.split()[-1]) <= 1e-3


def test_runner_compiled_side_by_side_gives_what_one_compilation_at_a_time_gives(tiny: tuple) -> None:
    model, _, ir_dir = tiny
    core = ov.Core()
    ir = core.read_model(ir_path(ir_dir, model, "FP32"))
    images = image_like_batch(8, 0, size=int(ir.inputs[0].get_shape()[-1]))
    together, apart = IrRunner(core, ir, "prob"), IrRunner(core, ir, "prob")
    together.prepare((1, 4))
    for batch in (1, 4):
        assert np.array_equal(together.run(images, batch).prob, apart.run(images, batch).prob)


@pytest.mark.parametrize(
    ("defect", "check_name", "reason"),
    [
        pytest.param(
            "output-named-softmax",
            "contract.output",
            "no output tensor named 'prob'",
            id="output-named-softmax",
        ),
        pytest.param(
            "channel-reversal-missing",
            "contract.bgr",
            "channel reversal missing",
            id="channel-reversal-missing",
        ),
        pytest.param("one-weight-perturbed", "parity.logits", "image", id="one-weight-perturbed"),
        pytest.param(
            "stem-shape-changed",
            "shapes.layers",
            "IR shape [1, 8, 15, 15], MXNet shape [1, 8, 16, 16]",
            id="stem-shape-changed",
        ),
        pytest.param(
            "probabilities-unnormalised",
            "behaviour.sum_to_one",
            "probabilities sum to 1.01",
            id="probabilities-unnormalised",
        ),
        pytest.param("output-infinite", "behaviour.finite", "image 0 has NaN/inf", id="output-infinite"),
        pytest.param("batch-dependent", "behaviour.batch", "differs at batch 4", id="batch-dependent"),
    ],
)
def test_broken_ir_fails_the_right_check(
    tiny: tuple, tmp_path: Path, defect: str, check_name: str, reason: str
) -> None:
    model, download_dir, ir_dir = tiny
    broken_dir = tmp_path / "ir"
    write_broken_ir(ir_path(ir_dir, model, "FP32"), ir_path(broken_dir, model, "FP32"), DEFECTS[defect])
    report = validate_model(model, download_dir, broken_dir, ("FP32",), reference="mxnet", images=8)
    check = report.check(check_name, "FP32")
    assert not check.passed and reason in check.detail, check
    assert not report.passed


def test_descriptor_without_channel_reversal_fails_the_record_and_the_behaviour(
    tiny: tuple, tmp_path: Path
) -> None:
    """An IR converted without --reverse_input_channels, validated against the descriptor that asks for it."""
    model, download_dir, _ = tiny
    args = tuple(a for a in model.model_optimizer_args if a != "--reverse_input_channels")
    convert_model(with_args(model, args), download_dir, tmp_path, ("FP32",))
    report = validate_model(model, download_dir, tmp_path, ("FP32",), reference="mxnet", images=8)
    record = report.check("contract.preprocessing", "FP32")
    assert not record.passed and "reverse_input_channels is False, expected True" in record.detail
    assert "channel reversal missing" in report.check("contract.bgr", "FP32").detail


def test_card_figures_are_checked(tiny: tuple) -> None:
    model, download_dir, ir_dir = tiny
    counted = count_cost(ov.Core().read_model(ir_path(ir_dir, model, "FP32")))
    exact = replace(model, card=ModelCard(mparams=counted.mparams, gflops=counted.gflops))
    off = replace(model, card=ModelCard(mparams=counted.mparams * 1.002, gflops=counted.gflops * 1.02))
    assert validate_model(exact, download_dir, ir_dir, ("FP32",), reference="none", images=4).passed
    report = validate_model(off, download_dir, ir_dir, ("FP32",), reference="none", images=4)
    assert [c.name for c in report.failed] == ["cost.params", "cost.gflops"]
    assert "off the card" in report.check("cost.gflops", "FP32").detail


def test_missing_ir_fails_to_load(tiny: tuple, tmp_path: Path) -> None:
    model, download_dir, _ = tiny
    report = validate_model(model, download_dir, tmp_path, ("FP32",), reference="none", images=4)
    check = report.check("contract.loads", "FP32")
    assert not check.passed and "ovzoo convert" in check.detail


def test_cli_prints_table_writes_json_and_exits_1_on_failure(
    tiny: tuple, tmp_path: Path, monkeypatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model, download_dir, ir_dir = tiny
    models_dir = tmp_path / "models"
    # a catalog with the tiny model, as a model.yml the loader reads
    (models_dir / model.name).mkdir(parents=True)
    (models_dir / model.name / "model.yml").write_text(tiny_descriptor_yaml(model))
    broken_dir = tmp_path / "broken"
    write_broken_ir(
        ir_path(ir_dir, model, "FP32"), ir_path(broken_dir, model, "FP32"), DEFECTS["output-named-softmax"]
    )
    argv = [
        "--name",
        model.name,
        "--models_dir",
        str(models_dir),
        "-d",
        str(download_dir),
        "--precisions",
        "FP32",
        "--images",
        "4",
    ]
    assert validate_main([*argv, "-o", str(ir_dir), "--json", str(tmp_path / "good.json")]) == 0
    assert validate_main([*argv, "-o", str(broken_dir), "--json", str(tmp_path / "bad.json")]) == 1
    out = capsys.readouterr().out
    assert "contract.output" in out and "FAIL" in out
    document = json.loads((tmp_path / "bad.json").read_text())
    assert document["passed"] is False
    failed = [c for c in document["models"][0]["checks"] if not c["passed"]]
    assert [c["name"] for c in failed] == ["contract.output"]
    assert json.loads((tmp_path / "good.json").read_text())["passed"] is True


def test_one_model_that_cannot_be_validated_does_not_stop_the_others(tiny: tuple) -> None:
    model, download_dir, ir_dir = tiny
    broken = tiny_model(
        args=("--input_model=$dl_dir/tiny/checkpoint-0-0000.params", "--data_type=FP16"), name="broken"
    )
    run = validate_models([broken, model], download_dir, ir_dir, ("FP32",), reference="none", images=4)
    assert list(run.failed) == ["broken"] and "--data_type" in str(run.failed["broken"])
    assert [r.model for r in run.reports] == [model.name] and run.reports[0].passed
    assert not run.passed


def test_the_table_keeps_terminal_lines_short(
    tiny: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, download_dir, ir_dir = tiny
    report_json = tmp_path / "report.json"
    report = validate_model(model, download_dir, ir_dir, ("FP32",), reference="none", images=4)
    long_detail = replace(
        report.checks[0], detail="x" * 500, measured="/very/long/" + "p" * 300 + "/tail.xml"
    )
    table = format_reports([replace(report, checks=(long_detail, *report.checks[1:]))])
    assert max(len(line) for line in table.splitlines()) <= 300
    assert "…" in table and "/tail.xml" in table  # shortened in the middle, the end kept
    write_json([replace(report, checks=(long_detail,))], report_json)
    assert "x" * 500 in report_json.read_text()  # the JSON report keeps every word
