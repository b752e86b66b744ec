"""Post-training INT8 quantization of converted IRs with NNCF (``ovzoo quantize``).

The input is the FP32 (for FP32-INT8) or FP16 (for FP16-INT8) IR that ``ovzoo convert`` wrote. The
IR already holds the preprocessing (channel flip, mean, scale), so calibration images are BGR
0..255 after the family's evaluation resize and centre crop, exactly what the IR takes in use.

Determinism: the calibration subset is the first ``subset_size`` images in annotation order (or
``subset_size`` synthetic images from a fixed seed), NNCF collects statistics at f32 on the CPU and
is given the images in that fixed order, so the same inputs give byte-identical IRs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import openvino as ov

import ovzoo
from ovzoo.catalog.model import Model
from ovzoo.datasets.labelled import load_labelled_images
from ovzoo.datasets.preprocessing import evaluation_steps
from ovzoo.errors import ConversionError, OvzooError, QuantizationError, within
from ovzoo.extras import import_optional
from ovzoo.ir.reading import IrReadError, read_ir
from ovzoo.ir.writer import write_ir
from ovzoo.naming import claim_name
from ovzoo.optimize.cost_cache import CostCache, default_cost_cache
from ovzoo.optimize.int8_merge import merge_for_int8
from ovzoo.outcome import Outcomes
from ovzoo.quantize.scope import FloatLayer, narrow_group_convolutions
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.precisions import PRECISIONS, QUANTIZED_PRECISIONS, check_precisions

log = logging.getLogger(__name__)

DEFAULT_SUBSET_SIZE = 300
DEFAULT_PRECISIONS = tuple(sorted(QUANTIZED_PRECISIONS))  # FP16-INT8, FP32-INT8
ANNOTATION_NAME = "val.txt"


# Synthetic calibration images come from their own seed: the validator checks on image_like_batch(seed 0),
# and an INT8 IR must be judged on images it was not calibrated on.
SYNTHETIC_CALIBRATION_SEED = 1


# How an activation's INT8 range is drawn from its per-image statistics, by calibration kind.
# Dataset images are samples of what the IR will see: NNCF's default (the mean over the images of each
# image's min and max) is the robust estimate. Synthetic images are not: a mean over them clips every
# real input whose activations reach further, and the error compounds layer after layer (on the
# synthetic family checkpoints the worst-image logit cosine of octave-resnet-50-0.125 went from 0.979
# to 0.998 with global ranges). So synthetic calibration takes the global min and max.
ACTIVATION_RANGES: dict[str, Literal["mean_minmax", "minmax"]] = {
    "dataset": "mean_minmax",
    "synthetic": "minmax",
}


@dataclass(frozen=True)
class Calibration:
    """Where calibration images come from: a labelled folder or synthetic image-like data."""

    kind: Literal["dataset", "synthetic"]
    subset_size: int = DEFAULT_SUBSET_SIZE
    dataset_dir: Path | None = None
    seed: int = SYNTHETIC_CALIBRATION_SEED  # synthetic images only

    @property
    def activation_ranges(self) -> Literal["mean_minmax", "minmax"]:
        return ACTIVATION_RANGES[self.kind]

    def describe(self, used: int) -> str:
        if self.kind == "synthetic":
            return f"synthetic: {used} image-like images (ovzoo.images, seed {self.seed}), not real data"
        return f"dataset {self.dataset_dir}: first {used} images of {ANNOTATION_NAME}"


@dataclass(frozen=True)
class QuantizeOptions:
    download_dir: Path  # where `ovzoo convert` wrote the FP IRs
    output_dir: Path
    calibration: Calibration
    precisions: tuple[str, ...] = DEFAULT_PRECISIONS
    # keep grouped convolutions without a fast INT8 kernel in float (ovzoo.quantize.scope)
    keep_slow_layers_float: bool = True
    # first merge such layers' groups to an INT8-friendly width where that measures faster (ovzoo.optimize)
    graph_rewrites: bool = True


@dataclass(frozen=True)
class QuantizationResult:
    model: str
    precision: str
    xml: Path
    source_ir: Path
    calibration: str  # Calibration.describe(): printed in every report
    seconds: float
    kept_float: tuple[FloatLayer, ...] = ()  # layers left unquantized (ovzoo.quantize.scope)


@dataclass
class QuantizationReport(Outcomes):
    results: list[QuantizationResult] = field(default_factory=list)


def calibration_images(calibration: Calibration, input_shape: Sequence[int]) -> list[np.ndarray]:
    """The calibration batches (1xCxHxW float32, BGR 0..255) in their fixed order.

    Raises:
        QuantizationError: non-square input, or a dataset problem (missing folder, missing/empty val.txt, bad image).
    """
    _, channels, height, width = input_shape
    if channels != 3 or height != width:
        raise QuantizationError(
            f"calibration needs a 3-channel square input, the IR takes {list(input_shape)}"
        )
    if calibration.kind == "synthetic":
        from ovzoo.images import image_like_batch  # noqa: PLC0415

        rgb = image_like_batch(calibration.subset_size, calibration.seed, size=height)
        return [np.ascontiguousarray(image[None, ::-1]) for image in rgb]  # the IR takes BGR
    if calibration.dataset_dir is None:
        raise QuantizationError("no calibration data: give --dataset_dir DIR or --synthetic")
    try:
        images = load_labelled_images(
            calibration.dataset_dir, Path(calibration.dataset_dir) / ANNOTATION_NAME
        )
        subset = images.subset(calibration.subset_size)
        return [image[None] for image in subset.preprocessed(evaluation_steps(height), height, width)]
    except OvzooError as e:
        raise QuantizationError(e.problem, ("calibration data", *e.where), **e.facts) from None


def _fingerprint(batches: Sequence[np.ndarray]) -> str:
    """sha256 of the calibration tensors: rt_info then says exactly what the statistics came from."""
    digest = hashlib.sha256()
    for batch in batches:
        digest.update(np.ascontiguousarray(batch, dtype=np.float32).tobytes())
    return digest.hexdigest()


@contextmanager
def _nncf_output_to_stderr() -> Iterator[None]:
    """NNCF writes its log and progress bars to stdout; stdout is for results, so send them to stderr.

    Its INFO lines (one per layer left out of quantization) are details: shown only with ``--verbose``.
    """
    nncf_log = logging.getLogger("nncf")
    level = nncf_log.level
    if not log.isEnabledFor(logging.DEBUG):
        nncf_log.setLevel(logging.WARNING)
    handlers = [
        h
        for h in logging.getLogger("nncf").handlers
        if isinstance(h, logging.StreamHandler) and h.stream is sys.stdout
    ]
    for handler in handlers:
        handler.setStream(sys.stderr)
    try:
        with redirect_stdout(sys.stderr):  # rich progress bars look sys.stdout up when they draw
            yield
    finally:
        nncf_log.setLevel(level)
        for handler in handlers:
            handler.setStream(sys.stdout)


def quantize_ir(
    ir_model: ov.Model,
    batches: Sequence[np.ndarray],
    subset_size: int,
    keep_float: Sequence[FloatLayer] = (),
    activation_ranges: Literal["mean_minmax", "minmax"] = "mean_minmax",
) -> ov.Model:
    """NNCF post-training quantization, performance preset (symmetric weights and activations).

    The layers in ``keep_float`` get no quantizers on their inputs and weights. ``activation_ranges``:
    NNCF's range estimator for activations (``ACTIVATION_RANGES`` says which suits which calibration).

    Raises:
        QuantizationError: NNCF failed on this model.
    """
    nncf = import_optional("nncf")  # heavy; only this command needs it

    input_name = ir_model.inputs[0].get_any_name()
    dataset = nncf.Dataset(list(batches), lambda batch: {input_name: batch})
    ignored = nncf.IgnoredScope(names=[layer.name for layer in keep_float])
    from nncf.quantization.range_estimator import RangeEstimatorParametersSet  # noqa: PLC0415

    estimator = getattr(RangeEstimatorParametersSet, activation_ranges.upper())
    advanced = nncf.AdvancedQuantizationParameters(activations_range_estimator_params=estimator)
    try:
        with _nncf_output_to_stderr():
            return nncf.quantize(
                ir_model,
                dataset,
                preset=nncf.QuantizationPreset.PERFORMANCE,
                subset_size=min(subset_size, len(batches)),
                ignored_scope=ignored,
                advanced_parameters=advanced,
            )
    except Exception as e:  # nncf raises many types (RuntimeError, nncf.InternalError, ValueError...)
        raise QuantizationError(f"NNCF could not quantize the model ({type(e).__name__}: {e})") from e


def stabilise_names(quantized: ov.Model, names_before: set[str]) -> None:
    """Rename the nodes that came out of NNCF with OpenVINO's automatic ``<Type>_<counter>`` names.

    The counter is process-wide, so the same quantization in another process (or twice in one) would
    give a different .xml. The new names follow the graph's topological order instead.
    """
    used = {op.get_friendly_name() for op in quantized.get_ops()}
    for index, op in enumerate(quantized.get_ordered_ops()):
        name = op.get_friendly_name()
        if name in names_before or not re.fullmatch(rf"{re.escape(op.get_type_name())}_\d+", name):
            continue
        op.set_friendly_name(claim_name(f"{op.get_type_name()}_q{index}", used))


def _record_rt_info(
    quantized: ov.Model,
    precision: str,
    source: str,
    calibration: Calibration,
    used: int,
    fingerprint: str,
    kept_float: Sequence[FloatLayer],
) -> None:
    nncf = import_optional("nncf")

    entries = {
        "precision": precision,
        "quantization/source_precision": source,
        "quantization/tool": f"nncf {nncf.__version__}",
        "quantization/preset": "performance",
        "quantization/calibration": calibration.kind,
        "quantization/activation_ranges": calibration.activation_ranges,
        "quantization/calibration_source": calibration.describe(used),
        "quantization/subset_size": str(used),
        "quantization/calibration_sha256": fingerprint,
        "quantization/kept_float": ",".join(layer.name for layer in kept_float) or "none",
        "quantization/ovzoo_version": ovzoo.__version__,
    }
    for key, value in entries.items():
        quantized.set_rt_info(value, ["ovzoo", *key.split("/")])


def _summarise(model_name: str, summary: str, details: Sequence[str]) -> None:
    """One INFO line per step; the per-layer list only at DEBUG (``--verbose``)."""
    if details:
        log.info("%s: %s", model_name, summary)
        log.debug("%s: %s", model_name, ", ".join(details))


def _source_precision(precision: str) -> str:
    source = PRECISIONS[precision].quantized_from
    if source is None:  # check_precisions lets only quantized precisions through
        raise QuantizationError(f"{precision} is not an INT8 precision")
    return source


def quantize_model(
    model: Model, options: QuantizeOptions, core: ov.Core | None = None
) -> list[QuantizationResult]:
    """Quantize one model to each requested INT8 precision.

    Raises:
        QuantizationError: not quantizable, a missing FP IR, bad calibration data, NNCF failure, an unwritable output.
    """
    precisions = check_precisions(options.precisions, QUANTIZED_PRECISIONS, QuantizationError)
    with within(f"model {model.name!r}"):
        if not model.quantizable:
            raise QuantizationError(
                "not marked 'quantizable: true' in its model.yml; refusing to quantize it"
            )
        sources = {p: ir_path(options.download_dir, model, _source_precision(p)) for p in precisions}
        missing = [str(path) for path in sources.values() if not path.is_file()]
        if missing:
            raise QuantizationError(
                f"missing FP IR {', '.join(missing)}; run 'ovzoo convert --name {model.name} "
                f"-o {options.download_dir}' first"
            )
        core = core or ov.Core()
        batches: list[np.ndarray] | None = None
        results = []
        for precision in precisions:
            started = time.perf_counter()
            try:
                ir_model = read_ir(core, sources[precision])
            except IrReadError as e:
                raise QuantizationError(f"{sources[precision]}: {e}; convert it again") from None
            if batches is None:
                batches = calibration_images(options.calibration, tuple(ir_model.inputs[0].get_shape()))
                fingerprint = _fingerprint(batches)
                description = options.calibration.describe(len(batches))
                log.info("%s: calibration data: %s", model.name, description)
            names_before = {op.get_friendly_name() for op in ir_model.get_ops()}
            if options.graph_rewrites and options.keep_slow_layers_float:
                merged = merge_for_int8(ir_model, CostCache(default_cost_cache()))
                _summarise(
                    model.name,
                    f"{len(merged)} narrow grouped convolutions merged to INT8-friendly groups",
                    [f"{m.layer} ({m.groups}->{m.merged_groups} groups)" for m in merged],
                )
            kept_float = narrow_group_convolutions(ir_model) if options.keep_slow_layers_float else []
            _summarise(
                model.name,
                f"{len(kept_float)} grouped convolutions kept in float (no fast INT8 kernel), "
                "listed in the IR's rt_info (ovzoo/quantization/kept_float)",
                [f"{layer.name} ({layer.reason})" for layer in kept_float],
            )
            quantized = quantize_ir(
                ir_model,
                batches,
                options.calibration.subset_size,
                kept_float,
                options.calibration.activation_ranges,
            )
            stabilise_names(quantized, names_before)
            _record_rt_info(
                quantized,
                precision,
                _source_precision(precision),
                options.calibration,
                len(batches),
                fingerprint,
                kept_float,
            )
            xml = ir_path(options.output_dir, model, precision)
            try:
                write_ir(quantized, xml, compress_to_fp16=PRECISIONS[precision].compress_to_fp16)
            except ConversionError as e:
                raise QuantizationError(e.problem, e.where, **e.facts) from e
            seconds = time.perf_counter() - started
            log.info("%s: wrote %s (%.1f s)", model.name, xml, seconds)
            results.append(
                QuantizationResult(
                    model.name, precision, xml, sources[precision], description, seconds, tuple(kept_float)
                )
            )
        return results


def quantize_models(models: Sequence[Model], options: QuantizeOptions) -> QuantizationReport:
    """Quantize each model; one model's failure does not stop the others."""
    report = QuantizationReport()
    core = ov.Core()
    for model in models:
        try:
            report.results.extend(quantize_model(model, options, core))
        except OvzooError as e:
            log.debug("%s failed: %s", model.name, e)
            report.fail(model.name, e)
    return report
