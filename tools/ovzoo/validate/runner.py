"""``validate_model``: every check on every requested precision of one converted model."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import openvino as ov

from ovzoo.catalog.model import Model
from ovzoo.errors import OvzooError
from ovzoo.images import image_like_batch
from ovzoo.ir.reading import IrReadError, read_ir
from ovzoo.mxnet.symbol import Graph
from ovzoo.validate.behaviour import behaviour_batch_sizes, check_behaviour
from ovzoo.validate.checks import Check, ValidationReport
from ovzoo.validate.contract import (
    check_input,
    check_output,
    check_preprocessing_record,
    expected_input,
    expected_output,
)
from ovzoo.validate.cost import count_cost
from ovzoo.validate.inference import IrOutputs, IrRunner
from ovzoo.validate.layer_shapes import check_layer_shapes, ir_layer_shapes
from ovzoo.validate.octave import check_octave_structure, model_alpha
from ovzoo.validate.parity import check_channel_order, check_parity
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.spec import ConversionSpec, parse_mo_args

log = logging.getLogger(__name__)

Reference = Literal["mxnet", "none"]
IMAGE_SEED = 0
PARAMS_RTOL = 1e-3  # model cards print MParams to 4 significant digits
GFLOPS_RTOL = 1e-2  # GFLOPs conventions differ in the element-wise work; the multiply-adds must not
CHANNEL_ORDER_IMAGES = 4  # images fed RGB for contract.bgr


@dataclass(frozen=True)
class _Expected:
    """What every precision is held to, computed once per model."""

    graph: Graph | None  # the MXNet symbol
    layer_shapes: dict[str, tuple[int, ...]] | None
    layer_shapes_problem: str
    reference: IrOutputs | None
    reference_problem: str


def validate_model(
    model: Model,
    download_dir: Path,
    ir_dir: Path,
    precisions: Sequence[str] = ("FP32", "FP16"),
    reference: Reference = "mxnet",
    images: int = 16,
) -> ValidationReport:
    """Run the contract, shape, cost, behaviour and (with a reference) parity checks on each IR.

    A failed check is a result, not an exception: the report says which and why.

    Raises:
        ConversionError: the descriptor's model_optimizer_args can't be interpreted.
    """
    spec = parse_mo_args(model, download_dir, ir_dir)
    wanted_input = expected_input(model, spec)
    batch = image_like_batch(images, IMAGE_SEED, size=int(wanted_input.shape[-1]))
    bgr = np.ascontiguousarray(batch[:, ::-1])  # image_like_batch is RGB; the IR takes BGR
    expected = _Expected(*_expected_shapes(spec), *_reference_outputs(spec, bgr, reference))
    core = ov.Core()
    checks: list[Check] = []
    if reference == "mxnet" and expected.reference is None:
        checks.append(
            Check("parity.reference", False, "unavailable", "MXNet reference", expected.reference_problem)
        )
    for precision in precisions:
        log.info("%s %s: validating %s", model.name, precision, ir_path(ir_dir, model, precision))
        checks += _validate_precision(core, model, spec, precision, ir_dir, bgr, expected)
    return ValidationReport(model.name, tuple(checks))


def _validate_precision(
    core: ov.Core,
    model: Model,
    spec: ConversionSpec,
    precision: str,
    ir_dir: Path,
    bgr: np.ndarray,
    expected: _Expected,
) -> list[Check]:
    xml = ir_path(ir_dir, model, precision)
    try:
        ir = read_ir(core, xml)
    except IrReadError as e:  # missing file, not an IR, truncated .bin, unknown opset: the message says which
        problem = f"not found: {xml}; run 'ovzoo convert' first" if not xml.is_file() else str(e)
        return [Check("contract.loads", False, "no", "loads", problem, precision)]
    checks = [
        Check("contract.loads", True, "yes", "loads", str(xml), precision),
        check_input(ir, expected_input(model, spec), precision),
        check_output(ir, expected_output(model), precision),
        check_preprocessing_record(ir, spec, precision),
    ]
    checks += _shape_checks(ir, model, expected, precision)
    checks += _cost_checks(ir, model, precision)
    runner = IrRunner(core, ir, expected_output(model).name)
    runner.prepare(behaviour_batch_sizes(len(bgr)))  # both compilations at once
    outputs = runner.run(bgr)
    # NaN/inf outputs fail the checks through their comparisons (NaN <= limit is False); no warnings
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        checks += check_behaviour(runner, bgr, outputs, precision)
        if expected.reference is not None:
            checks.append(_channel_order(runner, bgr, outputs, expected.reference, precision))
            checks += check_parity(outputs, expected.reference, precision, model.validation)
    return checks


def _channel_order(
    runner: IrRunner, bgr: np.ndarray, outputs: IrOutputs, reference: IrOutputs, precision: str
) -> Check:
    """contract.bgr on the first CHANNEL_ORDER_IMAGES: a missing reversal shows on every image, by
    orders of magnitude, so the RGB run need not cover the whole batch."""
    count = min(CHANNEL_ORDER_IMAGES, len(bgr))
    rgb = runner.run(np.ascontiguousarray(bgr[:count, ::-1]))
    return check_channel_order(outputs.head(count), rgb, reference.head(count), precision)


def _shape_checks(ir: ov.Model, model: Model, expected: _Expected, precision: str) -> list[Check]:
    shapes = ir_layer_shapes(ir)
    if expected.layer_shapes is None:
        checks = [
            Check(
                "shapes.layers",
                False,
                "not compared",
                "all named layers",
                expected.layer_shapes_problem,
                precision,
            )
        ]
    else:
        checks = [check_layer_shapes(shapes, expected.layer_shapes, precision)]
    if expected.graph is None:
        return checks  # shapes.layers already failed: the symbol is missing or unreadable
    octave = check_octave_structure(
        shapes, expected.graph, model_alpha(model.name), precision, expected.layer_shapes
    )
    return checks + ([octave] if octave is not None else [])


def _cost_checks(ir: ov.Model, model: Model, precision: str) -> list[Check]:
    try:
        cost = count_cost(ir)
    except ValueError as e:
        return [Check("cost.count", False, "not counted", "static shapes", str(e), precision)]
    checks = []
    for name, measured, card, rtol, unit in (
        ("cost.params", cost.mparams, model.card.mparams, PARAMS_RTOL, "M"),
        ("cost.gflops", cost.gflops, model.card.gflops, GFLOPS_RTOL, "G"),
    ):
        if card is None:
            checks.append(Check(name, True, f"{measured:.4f} {unit}", "no card figure", "", precision))
            continue
        error = abs(measured - card) / card
        passed = error <= rtol
        detail = f"{error:.2%} off the card" if not passed else ""
        checks.append(
            Check(name, passed, f"{measured:.4f} {unit}", f"{card:g} {unit} +- {rtol:.1%}", detail, precision)
        )
    return checks


def _expected_shapes(spec: ConversionSpec) -> tuple[Graph | None, dict[str, tuple[int, ...]] | None, str]:
    """The symbol, and MXNet layer name -> output shape from ovzoo's shape inference on it (no mxnet)."""
    from ovzoo.mxnet.shapes import infer_shapes
    from ovzoo.mxnet.symbol import load_symbol

    if not spec.input_symbol.is_file():
        return (
            None,
            None,
            f"symbol not found: {spec.input_symbol}; run 'ovzoo download' with the same download dir",
        )
    try:
        graph = load_symbol(spec.input_symbol)
        shapes = infer_shapes(graph, {spec.input_name: spec.input_shape})
    except OvzooError as e:
        return None, None, f"shape inference failed: {e}"
    layers = {node.name for node in graph.nodes if node.op != "null"}
    return graph, {name: shapes[name][0] for name in layers if name in shapes and shapes[name]}, ""


def _reference_outputs(
    spec: ConversionSpec, bgr: np.ndarray, reference: Reference
) -> tuple[IrOutputs | None, str]:
    """The original model's outputs on the same images, or why there are none."""
    if reference == "none":
        return None, "not requested (--reference none)"
    missing = [p for p in (spec.input_symbol, spec.input_model) if not p.is_file()]
    if missing:
        return (
            None,
            f"checkpoint not found: {', '.join(map(str, missing))}; use --reference none to skip parity",
        )
    from ovzoo.mxnet.reference import MXNetReference

    try:
        original = MXNetReference.load(
            spec.input_symbol, spec.input_model, bgr.shape, input_name=spec.input_name
        )
        out = original.forward(spec.original_input(bgr))
    except OvzooError as e:  # mxnet not importable, or the checkpoint does not load in it
        return None, f"{e}; use --reference none to skip parity"
    return IrOutputs(prob=np.asarray(out.prob, np.float32), logits=np.asarray(out.logits, np.float32)), ""
