"""Strict reader for accuracy-checker configs (the subset the OctConv family uses).

A config lists ``models``; each has ``launchers`` (``mxnet`` or ``openvino``/``dlsdk``) and ``datasets``
(reader, preprocessing, metrics). Dataset entries take their annotation and data source from a
``dataset_definitions.yml``. Unknown keys, unknown step types and bad values are errors that name the
config file and the field, so a typo can't silently change what gets measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from ovzoo.datasets.steps import (
    ASPECT_RATIO_SCALES,
    INTERPOLATIONS,
    BgrToRgb,
    Crop,
    Normalization,
    PreprocessingStep,
    Resize,
)
from ovzoo.errors import OvzooError, within
from ovzoo.tuples import tuple_items


class AccuracyConfigError(OvzooError, ValueError):
    """An accuracy config or dataset definitions file that breaks the supported format."""


Framework = Literal["mxnet", "openvino"]
# the model-zoo name of the OpenVINO launcher before 2022 was "dlsdk"
FRAMEWORK_ALIASES: dict[str, Framework] = {"mxnet": "mxnet", "openvino": "openvino", "dlsdk": "openvino"}


@dataclass(frozen=True)
class LauncherInput:
    name: str
    shape: tuple[int, ...]  # without the batch dimension, as the config writes it ("3,224,224")


@dataclass(frozen=True)
class Launcher:
    framework: Framework
    model: str | None  # relative to each -m folder (as accuracy_check has it); openvino: optional
    adapter: str
    inputs: tuple[LauncherInput, ...] = ()
    device: str | None = None  # None: one evaluation per -td device (CPU when none is given)


@dataclass(frozen=True)
class AccuracyMetric:
    name: str
    top_k: int
    reference: float | None  # fraction 0..1
    abs_threshold: float = 0.0  # accuracy_check's tolerances: FAILED once either is reached
    rel_threshold: float = 0.0

    def failed(self, value: float) -> bool:
        """accuracy_check's verdict on ``value``: it differs from the reference by at least a threshold.

        A difference of zero always passes; otherwise both the absolute and the relative difference
        must stay strictly below their thresholds (a missing threshold is 0). No reference: never fails.
        """
        if not self.reference:  # the checker skips the comparison for a reference of None or 0
            return False
        difference = abs(self.reference - value)
        if difference == 0:
            return False
        return self.abs_threshold <= difference or self.rel_threshold <= difference / self.reference


@dataclass(frozen=True)
class DatasetDefinition:
    name: str
    annotation_file: str  # "<file> <label>" per line, relative to the source dir (-s)
    data_source: str  # image folder, relative to the source dir (-s)


@dataclass(frozen=True)
class DatasetEntry:
    name: str
    reader: str
    preprocessing: tuple[PreprocessingStep, ...]
    metrics: tuple[AccuracyMetric, ...]


@dataclass(frozen=True)
class ModelEntry:
    name: str
    launchers: tuple[Launcher, ...]
    datasets: tuple[DatasetEntry, ...]


@dataclass(frozen=True)
class AccuracyConfig:
    path: Path
    models: tuple[ModelEntry, ...]
    definitions: Mapping[str, DatasetDefinition]


def _load_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise AccuracyConfigError(f"can't read the file ({e.strerror or e})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise AccuracyConfigError(f"not valid YAML ({str(e).splitlines()[0]})") from None


def _mapping(value: Any, what: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AccuracyConfigError(f"{what}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise AccuracyConfigError(
            f"{what}: unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}"
        )
    missing = sorted(required - set(value))
    if missing:
        raise AccuracyConfigError(f"{what}: missing key(s) {', '.join(map(repr, missing))}")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise AccuracyConfigError(f"{what}: expected a non-empty list")
    return value


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AccuracyConfigError(f"{what}: expected a non-empty string, got {value!r}")
    return value


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise AccuracyConfigError(f"{what}: expected an integer >= 1, got {value!r}")
    return value


def _numbers(value: Any, what: str, positive: bool = False) -> tuple[float, ...]:
    """A number, a YAML list of numbers, or the model zoo's string form "(124,117,104)"."""
    items: list[Any]
    if isinstance(value, str):
        items = tuple_items(value)
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    try:
        numbers = tuple(float(x) for x in items if not isinstance(x, bool))
    except (TypeError, ValueError):
        raise AccuracyConfigError(f"{what}: expected a number or a list of numbers, got {value!r}") from None
    if len(numbers) not in (1, 3) or len(numbers) != len(items):
        raise AccuracyConfigError(f"{what}: expected 1 or 3 numbers, got {value!r}")
    if positive and any(n <= 0 for n in numbers):
        raise AccuracyConfigError(f"{what}: expected numbers > 0, got {value!r}")
    return numbers


def _parse_shape(value: Any, what: str) -> tuple[int, ...]:
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    try:
        shape = tuple(int(p) for p in tuple_items(text))
    except ValueError:
        raise AccuracyConfigError(f"{what}: expected a shape like 3,224,224, got {value!r}") from None
    if len(shape) != 3 or any(d < 1 for d in shape):
        raise AccuracyConfigError(f"{what}: expected C,H,W with positive sizes, got {value!r}")
    return shape


def _parse_step(raw: Any, what: str) -> PreprocessingStep:
    step_type = raw.get("type") if isinstance(raw, dict) else None
    if step_type == "bgr_to_rgb":
        _mapping(raw, what, {"type"}, {"type"})
        return BgrToRgb()
    if step_type == "resize":
        step = _mapping(raw, what, {"type", "size", "aspect_ratio_scale", "interpolation"}, {"size"})
        scale = step.get("aspect_ratio_scale")
        if scale is not None and scale not in ASPECT_RATIO_SCALES:
            raise AccuracyConfigError(
                f"{what}.aspect_ratio_scale: supported: {', '.join(ASPECT_RATIO_SCALES)}; got {scale!r}"
            )
        interpolation = str(step.get("interpolation", "LINEAR")).upper()
        if interpolation not in INTERPOLATIONS:
            raise AccuracyConfigError(
                f"{what}.interpolation: expected one of {', '.join(INTERPOLATIONS)}, "
                f"got {step.get('interpolation')!r}"
            )
        return Resize(_positive_int(step["size"], f"{what}.size"), scale, interpolation)
    if step_type == "crop":
        step = _mapping(raw, what, {"type", "size"}, {"size"})
        return Crop(_positive_int(step["size"], f"{what}.size"))
    if step_type == "normalization":
        step = _mapping(raw, what, {"type", "mean", "std"}, set())
        if "mean" not in step and "std" not in step:
            raise AccuracyConfigError(f"{what}: needs 'mean' and/or 'std'")
        return Normalization(
            _numbers(step.get("mean", 0), f"{what}.mean"),
            _numbers(step.get("std", 1), f"{what}.std", positive=True),
        )
    raise AccuracyConfigError(
        f"{what}.type: expected one of bgr_to_rgb, resize, crop, normalization; got {step_type!r}"
    )


def _threshold(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise AccuracyConfigError(f"{what}: expected a number >= 0, got {value!r}")
    return float(value)


def _parse_metric(raw: Any, what: str) -> AccuracyMetric:
    metric = _mapping(
        raw, what, {"name", "type", "top_k", "reference", "abs_threshold", "rel_threshold"}, {"type"}
    )
    if metric["type"] != "accuracy":
        raise AccuracyConfigError(f"{what}.type: only 'accuracy' is supported, got {metric['type']!r}")
    top_k = _positive_int(metric.get("top_k", 1), f"{what}.top_k")
    reference = metric.get("reference")
    if reference is not None:
        if isinstance(reference, bool) or not isinstance(reference, int | float) or not 0 <= reference <= 1:
            raise AccuracyConfigError(f"{what}.reference: expected a fraction 0..1, got {reference!r}")
        reference = float(reference)
    return AccuracyMetric(
        str(metric.get("name", f"accuracy@top{top_k}")),
        top_k,
        reference,
        _threshold(metric.get("abs_threshold", 0), f"{what}.abs_threshold"),
        _threshold(metric.get("rel_threshold", 0), f"{what}.rel_threshold"),
    )


def _parse_launcher(raw: Any, what: str) -> Launcher:
    launcher = _mapping(
        raw, what, {"framework", "model", "adapter", "inputs", "device"}, {"framework", "adapter"}
    )
    framework = FRAMEWORK_ALIASES.get(launcher["framework"])
    if framework is None:
        raise AccuracyConfigError(
            f"{what}.framework: expected one of {', '.join(FRAMEWORK_ALIASES)}, got {launcher['framework']!r}"
        )
    if launcher["adapter"] != "classification":
        raise AccuracyConfigError(
            f"{what}.adapter: only 'classification' is supported, got {launcher['adapter']!r}"
        )
    model = launcher.get("model")
    if model is not None:
        model = _string(model, f"{what}.model")
    if framework == "mxnet":
        model = _string(model, f"{what}.model")
        if not model.endswith(".params"):
            raise AccuracyConfigError(f"{what}.model: expected an MXNet '.params' file name, got {model!r}")
    elif model is not None and not model.endswith(".xml"):
        raise AccuracyConfigError(f"{what}.model: expected an OpenVINO IR '.xml' file, got {model!r}")
    device = launcher.get("device")
    if device is not None:
        device = _string(device, f"{what}.device")
    inputs = []
    for i, item in enumerate(launcher.get("inputs") or []):
        entry = _mapping(item, f"{what}.inputs[{i}]", {"name", "type", "shape"}, {"name", "shape"})
        if entry.get("type", "INPUT") != "INPUT":
            raise AccuracyConfigError(
                f"{what}.inputs[{i}].type: only INPUT is supported, got {entry['type']!r}"
            )
        inputs.append(
            LauncherInput(
                _string(entry["name"], f"{what}.inputs[{i}].name"),
                _parse_shape(entry["shape"], f"{what}.inputs[{i}].shape"),
            )
        )
    if framework == "mxnet" and len(inputs) != 1:
        raise AccuracyConfigError(f"{what}.inputs: the mxnet launcher needs exactly one input with its shape")
    return Launcher(framework, model, "classification", tuple(inputs), device)


def _parse_dataset(raw: Any, what: str, definitions: Mapping[str, DatasetDefinition]) -> DatasetEntry:
    dataset = _mapping(raw, what, {"name", "reader", "preprocessing", "metrics"}, {"name", "metrics"})
    name = _string(dataset["name"], f"{what}.name")
    if name not in definitions:
        raise AccuracyConfigError(
            f"{what}.name: dataset {name!r} is not in the dataset definitions "
            f"(known: {', '.join(sorted(definitions)) or 'none'})"
        )
    reader = dataset.get("reader", "opencv_imread")
    if reader != "opencv_imread":
        raise AccuracyConfigError(f"{what}.reader: only 'opencv_imread' is supported, got {reader!r}")
    steps = tuple(
        _parse_step(s, f"{what}.preprocessing[{i}]") for i, s in enumerate(dataset.get("preprocessing") or [])
    )
    metrics = tuple(
        _parse_metric(m, f"{what}.metrics[{i}]")
        for i, m in enumerate(_list(dataset["metrics"], f"{what}.metrics"))
    )
    return DatasetEntry(name, reader, steps, metrics)


def load_dataset_definitions(path: Path) -> dict[str, DatasetDefinition]:
    """Read a dataset_definitions.yml: ``datasets: [{name, annotation_conversion, data_source}]``.

    ``annotation`` and ``dataset_meta`` (where accuracy_check keeps the converted annotation, under
    ``-a``) are accepted and not used: ovzoo reads the annotation file itself on every run.

    Raises:
        AccuracyConfigError: unreadable file or a malformed entry (named by file and field).
    """
    with within(str(path)):
        root = _mapping(_load_yaml(path), "top level", {"datasets"}, {"datasets"})
        result: dict[str, DatasetDefinition] = {}
        for i, raw in enumerate(_list(root["datasets"], "datasets")):
            what = f"datasets[{i}]"
            entry = _mapping(
                raw,
                what,
                {"name", "annotation_conversion", "annotation", "dataset_meta", "data_source"},
                {"name", "annotation_conversion", "data_source"},
            )
            name = _string(entry["name"], f"{what}.name")
            if name in result:
                raise AccuracyConfigError(f"{what}.name: duplicate dataset {name!r}")
            conversion = _mapping(
                entry["annotation_conversion"],
                f"{what}.annotation_conversion",
                {"converter", "annotation_file"},
                {"converter", "annotation_file"},
            )
            if conversion["converter"] != "imagenet":
                raise AccuracyConfigError(
                    f"{what}.annotation_conversion.converter: only 'imagenet' "
                    f'("<file> <label>" lines) is supported, got {conversion["converter"]!r}'
                )
            annotation = _string(
                conversion["annotation_file"], f"{what}.annotation_conversion.annotation_file"
            )
            for key in ("annotation", "dataset_meta"):
                if key in entry:
                    _string(entry[key], f"{what}.{key}")
            result[name] = DatasetDefinition(
                name, annotation, _string(entry["data_source"], f"{what}.data_source")
            )
        return result


def definitions_path_for(config_path: Path) -> Path:
    """The dataset_definitions.yml beside the config, following a symlinked config to its target."""
    return Path(config_path).resolve().parent / "dataset_definitions.yml"


def load_accuracy_config(path: Path, definitions_path: Path | None = None) -> AccuracyConfig:
    """Parse an accuracy-check config and its dataset definitions (``definitions_path``, else the
    config's ``global_definitions``, else dataset_definitions.yml beside the resolved config) into records.

    Raises:
        AccuracyConfigError: any unsupported or malformed field, naming the file and the field.
    """
    path = Path(path)
    with within(str(path)):
        root = _mapping(_load_yaml(path), "top level", {"models", "global_definitions"}, {"models"})
        if definitions_path is None and "global_definitions" in root:
            # as accuracy_check reads it: beside the config as named (a symlink is not followed), -d wins
            definitions_path = path.parent / _string(root["global_definitions"], "global_definitions")
    definitions = load_dataset_definitions(definitions_path or definitions_path_for(path))
    with within(str(path)):
        models = []
        for i, raw in enumerate(_list(root["models"], "models")):
            what = f"models[{i}]"
            entry = _mapping(raw, what, {"name", "launchers", "datasets"}, {"name", "launchers", "datasets"})
            name = _string(entry["name"], f"{what}.name")
            launchers = tuple(
                _parse_launcher(x, f"{what}.launchers[{j}]")
                for j, x in enumerate(_list(entry["launchers"], f"{what}.launchers"))
            )
            datasets = tuple(
                _parse_dataset(x, f"{what}.datasets[{j}]", definitions)
                for j, x in enumerate(_list(entry["datasets"], f"{what}.datasets"))
            )
            models.append(ModelEntry(name, launchers, datasets))
        return AccuracyConfig(path, tuple(models), definitions)
