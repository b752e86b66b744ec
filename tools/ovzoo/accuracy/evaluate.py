"""``ovzoo accuracy``: run every launcher of an accuracy config over a labelled image folder.

Where the models are found under ``models_dir`` (the ovzoo download/convert output root):

- mxnet launcher of entry ``<name>-mx`` (or ``<name>``): the config's ``model`` file (e.g.
  ``checkpoint-0-0000.params``) at ``public/<name>/<file>`` or, as unpacked archives leave it, in exactly one
  folder below that (``public/<name>/<archive stem>/<file>``); the symbol is the MXNet checkpoint's
  ``<prefix>-symbol.json`` beside it.
- openvino launcher of entry ``<name>``: ``public/<name>/<PREC>/<name>.xml`` for each requested precision;
  without ``--precisions``, every one of FP32, FP16, FP32-INT8, FP16-INT8 that exists.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov
from tqdm import tqdm

from ovzoo.accuracy.config import AccuracyMetric, DatasetEntry, Launcher, ModelEntry, load_accuracy_config
from ovzoo.accuracy.launchers import InferencePrecision, compile_ir, run_mxnet, run_openvino
from ovzoo.datasets.labelled import LabelledImages, load_labelled_images
from ovzoo.errors import OvzooError, within
from ovzoo.vocabulary.precisions import ALL_PRECISIONS

log = logging.getLogger(__name__)

ORIGINAL = "original"  # the precision column of the MXNet launcher
_CHECKPOINT = re.compile(r"^(?P<prefix>.+)-\d+\.params$")


class AccuracyError(OvzooError):
    """A model file the config needs is missing, or nothing could be evaluated."""


@dataclass(frozen=True)
class AccuracyOptions:
    config: Path
    source_dir: Path  # root that the dataset's data_source is relative to
    annotation: Path  # the annotation file, or the folder holding the dataset's annotation file
    models_dir: Path
    precisions: tuple[str, ...] | None = None  # None: every IR precision present
    inference_precision: InferencePrecision = "f32"
    definitions: Path | None = None  # default: dataset_definitions.yml beside the (resolved) config
    progress: bool = True


@dataclass(frozen=True)
class MetricValue:
    name: str
    top_k: int
    value: float  # fraction 0..1
    reference: float | None  # from the config
    original: float | None  # the MXNet launcher's value on the same images

    @property
    def vs_reference(self) -> float | None:
        return None if self.reference is None else self.value - self.reference

    @property
    def vs_original(self) -> float | None:
        return None if self.original is None else self.value - self.original


@dataclass(frozen=True)
class LauncherResult:
    entry: str  # the config's model entry name
    framework: str
    precision: str  # "original" for MXNet, else the IR precision
    model_file: Path
    images: int
    metrics: tuple[MetricValue, ...]
    seconds: float
    note: str = ""  # e.g. INT8 calibration source (synthetic data is flagged here)


@dataclass(frozen=True)
class AccuracyReport:
    config: Path
    dataset: str
    images: int
    inference_precision: str
    results: tuple[LauncherResult, ...]


def mxnet_checkpoint(models_dir: Path, entry: ModelEntry, launcher: Launcher) -> tuple[Path, Path]:
    """(symbol, params) of an mxnet launcher under ``models_dir`` (see the module docstring).

    Raises:
        AccuracyError: the file is missing or ambiguous.
    """
    name = entry.name.removesuffix("-mx")
    folder = Path(models_dir) / "public" / name
    assert launcher.model is not None  # the config parser requires it for mxnet
    candidates = (
        [folder / launcher.model]
        if (folder / launcher.model).is_file()
        else sorted(p for p in folder.glob(f"*/{launcher.model}") if p.is_file())
    )
    if not candidates:
        raise AccuracyError(
            f"{launcher.model} not found in {folder} or one folder below it; run "
            f"'ovzoo download --name {name} -o {models_dir}' first"
        )
    if len(candidates) > 1:
        raise AccuracyError(
            f"{launcher.model} is ambiguous under {folder}: "
            f"{', '.join(str(c.relative_to(folder)) for c in candidates)}"
        )
    params = candidates[0]
    match = _CHECKPOINT.match(params.name)
    symbol = params.with_name(f"{match['prefix'] if match else params.stem}-symbol.json")
    if not symbol.is_file():
        raise AccuracyError(f"the MXNet symbol {symbol} is missing beside {params.name}")
    return symbol, params


def ir_files(models_dir: Path, entry: ModelEntry, precisions: Sequence[str] | None) -> dict[str, Path]:
    """Precision -> IR .xml of an openvino launcher.

    Raises:
        AccuracyError: a requested precision is missing, or (no precisions given) none exists.
    """
    folder = Path(models_dir) / "public" / entry.name
    wanted = precisions or ALL_PRECISIONS
    found = {p: folder / p / f"{entry.name}.xml" for p in wanted}
    missing = [p for p, xml in found.items() if not xml.is_file()]
    if precisions and missing:
        raise AccuracyError(
            f"no {', '.join(missing)} IR at {folder}/<PREC>/{entry.name}.xml; run 'ovzoo convert' "
            "(FP32, FP16) or 'ovzoo quantize' (INT8) first"
        )
    found = {p: xml for p, xml in found.items() if p not in missing}
    if not found:
        raise AccuracyError(
            f"no IR under {folder} (looked for {', '.join(ALL_PRECISIONS)}); run 'ovzoo convert' first"
        )
    return found


def _scores(
    tops: Iterable[np.ndarray], labels: Sequence[int], metrics: Sequence[AccuracyMetric]
) -> list[float]:
    hits = np.zeros(len(metrics))
    count = 0
    for top, label in zip(tops, labels, strict=True):
        hits += [label in top[: m.top_k] for m in metrics]
        count += 1
    return list(hits / count)


def _progress(images: Iterator[np.ndarray], total: int, label: str, enabled: bool) -> Iterator[np.ndarray]:
    yield from tqdm(
        images, total=total, desc=label, unit="img", file=sys.stderr, disable=not enabled, leave=False
    )


def _evaluate_entry(
    entry: ModelEntry, dataset: DatasetEntry, data: LabelledImages, options: AccuracyOptions, core: ov.Core
) -> list[tuple[LauncherResult, list[float]]]:
    keep = max(m.top_k for m in dataset.metrics)
    labels = [s.label for s in data.samples]
    out = []
    for launcher in entry.launchers:
        if launcher.framework == "mxnet":
            symbol, params = mxnet_checkpoint(options.models_dir, entry, launcher)
            shape = launcher.inputs[0].shape
            started = time.perf_counter()
            images = _progress(
                data.preprocessed(dataset.preprocessing, shape[1], shape[2]),
                len(data),
                f"{entry.name} mxnet",
                options.progress,
            )
            scores = _scores(
                run_mxnet(symbol, params, launcher.inputs[0].name, shape, images, keep),
                labels,
                dataset.metrics,
            )
            out.append(
                (
                    LauncherResult(
                        entry.name, "mxnet", ORIGINAL, params, len(data), (), time.perf_counter() - started
                    ),
                    scores,
                )
            )
            continue
        for precision, xml in ir_files(options.models_dir, entry, options.precisions).items():
            with within(str(xml)):
                started = time.perf_counter()
                ir_model = core.read_model(xml)
                note = _calibration_note(ir_model)
                compiled = compile_ir(xml, options.inference_precision, core)
                shape = tuple(compiled.inputs[0].get_shape())
                images = _progress(
                    data.preprocessed(dataset.preprocessing, shape[2], shape[3]),
                    len(data),
                    f"{entry.name} {precision}",
                    options.progress,
                )
                scores = _scores(run_openvino(compiled, images, keep), labels, dataset.metrics)
                out.append(
                    (
                        LauncherResult(
                            entry.name,
                            "openvino",
                            precision,
                            xml,
                            len(data),
                            (),
                            time.perf_counter() - started,
                            note,
                        ),
                        scores,
                    )
                )
    return out


def _calibration_note(ir_model: ov.Model) -> str:
    key = ["ovzoo", "quantization", "calibration_source"]
    return f"INT8 calibrated on {ir_model.get_rt_info(key).astype(str)}" if ir_model.has_rt_info(key) else ""


def resolve_annotation(annotation: Path, file_name: str) -> Path:
    """``-a`` may name the annotation file itself or the folder that holds the dataset's annotation file."""
    return Path(annotation) / file_name if Path(annotation).is_dir() else Path(annotation)


def run_accuracy(options: AccuracyOptions) -> AccuracyReport:
    """Evaluate every launcher of the config on its dataset.

    Raises:
        AccuracyConfigError, DatasetError, AccuracyError, ReferenceUnavailable: with file/field context.
    """
    config = load_accuracy_config(options.config, options.definitions)
    core = ov.Core()
    raw: list[tuple[LauncherResult, list[float]]] = []
    metrics_of: dict[str, DatasetEntry] = {}
    dataset_names = {d.name for entry in config.models for d in entry.datasets}
    if len(dataset_names) != 1:
        raise AccuracyError(
            f"the config uses datasets {sorted(dataset_names)}; one dataset per config is supported",
            (str(options.config),),
        )
    definition = config.definitions[dataset_names.pop()]
    data = load_labelled_images(
        Path(options.source_dir) / definition.data_source,
        resolve_annotation(options.annotation, definition.annotation_file),
    )
    for entry in config.models:
        with within(f"model {entry.name!r}"):
            for dataset in entry.datasets:
                for result, scores in _evaluate_entry(entry, dataset, data, options, core):
                    raw.append((result, scores))
                    metrics_of[result.entry] = dataset
    originals = {
        m.name: score
        for result, scores in raw
        if result.framework == "mxnet"
        for m, score in zip(metrics_of[result.entry].metrics, scores, strict=True)
    }
    results = []
    for result, scores in raw:
        metrics = tuple(
            MetricValue(m.name, m.top_k, score, m.reference, originals.get(m.name))
            for m, score in zip(metrics_of[result.entry].metrics, scores, strict=True)
        )
        results.append(
            LauncherResult(
                result.entry,
                result.framework,
                result.precision,
                result.model_file,
                result.images,
                metrics,
                result.seconds,
                result.note,
            )
        )
    return AccuracyReport(
        Path(options.config), definition.name, len(data), options.inference_precision, tuple(results)
    )
