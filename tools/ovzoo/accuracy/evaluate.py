"""``ovzoo accuracy``: run every selected launcher of an accuracy config over a labelled image folder.

Paths mean what they mean to accuracy_check 2023.3: the dataset definition's ``annotation_file`` and
``data_source`` are relative to the source dir (``-s``), the launchers' models to the models folders
(``-m``; see :mod:`ovzoo.accuracy.selection`).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import openvino as ov
from tqdm import tqdm

from ovzoo.accuracy.config import AccuracyMetric, DatasetEntry, load_accuracy_config
from ovzoo.accuracy.launchers import compile_ir, run_mxnet, run_openvino
from ovzoo.accuracy.selection import AccuracyError, Evaluation, Targets, plan_evaluations
from ovzoo.datasets.labelled import LabelledImages, load_labelled_images
from ovzoo.errors import within

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccuracyOptions:
    config: Path
    source_dir: Path | None  # -s: what annotation_file and data_source are relative to (None: cwd)
    targets: Targets = Targets()
    precision_hint: str | None = None  # --inference_precision_hint; None: the device's default
    definitions: Path | None = None  # default: dataset_definitions.yml beside the (resolved) config
    progress: bool = True


@dataclass(frozen=True)
class MetricValue:
    metric: AccuracyMetric  # from the config: name, top_k, reference and thresholds
    value: float  # fraction 0..1
    original: float | None  # the MXNet launcher's value on the same images

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def vs_reference(self) -> float | None:
        return None if self.metric.reference is None else self.value - self.metric.reference

    @property
    def vs_original(self) -> float | None:
        return None if self.original is None else self.value - self.original

    @property
    def failed(self) -> bool:
        """accuracy_check's [FAILED] mark: the reference is missed by a threshold or more."""
        return self.metric.failed(self.value)


@dataclass(frozen=True)
class LauncherResult:
    entry: str  # the config's model entry name
    framework: str
    precision: str  # "original" for MXNet, else the IR precision
    device: str
    model_file: Path
    images: int
    metrics: tuple[MetricValue, ...]
    seconds: float
    # per image, in annotation order: class indices by descending probability (as many as the largest top_k)
    predictions: tuple[tuple[int, ...], ...] = ()
    note: str = ""  # e.g. INT8 calibration source (synthetic data is flagged here)


@dataclass(frozen=True)
class AccuracyReport:
    config: Path
    dataset: str
    files: tuple[str, ...]  # the annotation's image files, in order
    precision_hint: str | None
    results: tuple[LauncherResult, ...]

    @property
    def images(self) -> int:
        return len(self.files)

    @property
    def failed(self) -> bool:
        return any(m.failed for r in self.results for m in r.metrics)


def _scores(
    tops: Sequence[np.ndarray], labels: Sequence[int], metrics: Sequence[AccuracyMetric]
) -> list[float]:
    hits = np.zeros(len(metrics))
    for top, label in zip(tops, labels, strict=True):
        hits += [label in top[: m.top_k] for m in metrics]
    return [float(h) / len(labels) for h in hits]  # Python floats: the JSON report takes them as they are


def _progress(images: Iterator[np.ndarray], total: int, label: str, enabled: bool) -> Iterator[np.ndarray]:
    yield from tqdm(
        images, total=total, desc=label, unit="img", file=sys.stderr, disable=not enabled, leave=False
    )


def _predict(
    job: Evaluation, dataset: DatasetEntry, data: LabelledImages, options: AccuracyOptions, core: ov.Core
) -> tuple[list[np.ndarray], str]:
    """Top classes per image, and a note for the report."""
    keep = max(m.top_k for m in dataset.metrics)
    label = f"{job.entry.name} {job.precision}"
    if job.launcher.framework == "mxnet":
        assert job.symbol is not None  # plan_evaluations finds it
        shape = job.launcher.inputs[0].shape
        images = _progress(
            data.preprocessed(dataset.preprocessing, shape[1], shape[2]), len(data), label, options.progress
        )
        return list(
            run_mxnet(job.symbol, job.model_file, job.launcher.inputs[0].name, shape, images, keep)
        ), ""
    note = _calibration_note(core.read_model(job.model_file))
    compiled = compile_ir(job.model_file, job.device, options.precision_hint, core)
    shape = tuple(compiled.inputs[0].get_shape())
    images = _progress(
        data.preprocessed(dataset.preprocessing, shape[2], shape[3]), len(data), label, options.progress
    )
    return list(run_openvino(compiled, images, keep)), note


def _calibration_note(ir_model: ov.Model) -> str:
    key = ["ovzoo", "quantization", "calibration_source"]
    return f"INT8 calibrated on {ir_model.get_rt_info(key).astype(str)}" if ir_model.has_rt_info(key) else ""


def _evaluate(
    job: Evaluation, data: LabelledImages, options: AccuracyOptions, core: ov.Core
) -> tuple[LauncherResult, list[float]]:
    dataset = job.entry.datasets[0]
    started = time.perf_counter()
    with within(f"model {job.entry.name!r}"), within(str(job.model_file)):
        tops, note = _predict(job, dataset, data, options, core)
    scores = _scores(tops, [s.label for s in data.samples], dataset.metrics)
    result = LauncherResult(
        job.entry.name,
        job.launcher.framework,
        job.precision,
        job.device,
        job.model_file,
        len(data),
        (),
        time.perf_counter() - started,
        tuple(tuple(int(c) for c in top) for top in tops),
        note,
    )
    return result, scores


def run_accuracy(options: AccuracyOptions) -> AccuracyReport:
    """Evaluate every launcher the command line selects on the config's dataset.

    Raises:
        AccuracyConfigError, DatasetError, AccuracyError, ReferenceUnavailable: with file/field context.
    """
    config = load_accuracy_config(options.config, options.definitions)
    dataset_names = {d.name for entry in config.models for d in entry.datasets}
    if len(dataset_names) != 1 or any(len(entry.datasets) != 1 for entry in config.models):
        raise AccuracyError(
            f"the config uses datasets {sorted(dataset_names)}; one dataset per config is supported",
            (str(options.config),),
        )
    plan = plan_evaluations(config, options.targets)  # every model file checked before any image is read
    definition = config.definitions[dataset_names.pop()]
    source = options.source_dir or Path(".")
    data = load_labelled_images(source / definition.data_source, source / definition.annotation_file)
    core = ov.Core()
    raw = [(job, *_evaluate(job, data, options, core)) for job in plan]
    originals: dict[str, float] = {}
    for job, _, scores in raw:
        if job.launcher.framework == "mxnet":
            for metric, score in zip(job.entry.datasets[0].metrics, scores, strict=True):
                originals.setdefault(metric.name, score)
    results = tuple(
        replace(
            result,
            metrics=tuple(
                MetricValue(m, score, originals.get(m.name))
                for m, score in zip(job.entry.datasets[0].metrics, scores, strict=True)
            ),
        )
        for job, result, scores in raw
    )
    return AccuracyReport(
        config.path, definition.name, tuple(s.file for s in data.samples), options.precision_hint, results
    )
