"""Read a Model Server repository for serving: ``config.json`` entries -> the IR of each version to load.

The subset of the Model Server's config that ``ovzoo serve`` honours: ``name``, ``base_path``
(relative to the config file, or absolute), ``target_device``, ``nireq``, ``plugin_config``,
``model_version_policy`` (``latest`` with ``num_versions``, ``specific``, ``all``), ``shape`` (fixed
shapes; the IR is reshaped) and ``layout`` (only the IR's own). Anything else in an entry is an
error naming it, rather than being silently served differently from the Model Server.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovzoo.errors import ServeError, within
from ovzoo.vocabulary.model_repository import CONFIG_NAME

log = logging.getLogger(__name__)

SUPPORTED_KEYS = frozenset(
    {
        "name",
        "base_path",
        "target_device",
        "nireq",
        "plugin_config",
        "model_version_policy",
        "shape",
        "layout",
    }
)
IGNORED_KEYS = frozenset({"allow_cache"})  # a Model Server cache switch; nothing to do here
# top-level lists the Model Server runs and ovzoo serve does not (logged, skipped)
SKIPPED_LISTS = ("pipeline_config_list", "mediapipe_config_list", "custom_node_library_config_list")
_SHAPE = re.compile(r"^[(\[]\s*\d+(\s*,\s*\d+)*\s*[)\]]$")


@dataclass(frozen=True)
class ModelConfig:
    """One served model: the versions to load and how to compile them."""

    name: str
    versions: dict[int, Path]  # version -> .xml
    target_device: str = "CPU"
    nireq: int = 0  # 0: OpenVINO's optimal number of requests for the device
    plugin_config: dict[str, Any] = field(default_factory=dict)
    shape: dict[str, tuple[int, ...]] = field(default_factory=dict)  # input -> fixed shape
    layout: dict[str, str] = field(default_factory=dict)  # input -> layout, checked against the IR


def read_repository(repository: Path) -> list[ModelConfig]:
    """The models ``<repository>/config.json`` asks for, each with the versions its policy selects.

    Raises:
        ServeError: no or unreadable config.json, an entry ovzoo serve can't honour, a version
            folder without exactly one IR, no version to serve.
    """
    path = Path(repository) / CONFIG_NAME
    if not path.is_file():
        raise ServeError(f"no {CONFIG_NAME} in {repository}: write one with 'ovzoo export --format ovms'")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ServeError(f"can't read it as JSON: {e}", (str(path),)) from e
    with within(str(path)):
        if not isinstance(document, dict) or not isinstance(document.get("model_config_list"), list):
            raise ServeError("expected an object with a 'model_config_list' list")
        for key in SKIPPED_LISTS:
            if document.get(key):
                log.warning("%s: %s is not served by ovzoo serve (skipped)", path, key)
        models = []
        for i, item in enumerate(document["model_config_list"]):
            with within(f"model_config_list[{i}]"):
                if not isinstance(item, dict) or not isinstance(item.get("config"), dict):
                    raise ServeError("expected {'config': {...}}")
                models.append(_parse_entry(item["config"], path.parent))
        names = [m.name for m in models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ServeError(f"model name(s) given twice: {', '.join(duplicates)}")
        if not models:
            raise ServeError("model_config_list is empty: nothing to serve")
    return models


def _parse_entry(config: dict[str, Any], config_dir: Path) -> ModelConfig:
    name = config.get("name")
    if not isinstance(name, str) or not name:
        raise ServeError("config.name: expected a non-empty string")
    with within(f'model "{name}"'):
        unknown = sorted(set(config) - SUPPORTED_KEYS - IGNORED_KEYS)
        if unknown:
            raise ServeError(f"{', '.join(unknown)}: not supported by ovzoo serve")
        base_path = config.get("base_path")
        if not isinstance(base_path, str) or not base_path:
            raise ServeError("base_path: expected a path")
        if "://" in base_path:
            raise ServeError(f"base_path: {base_path!r}: only local folders are served")
        model_dir = (config_dir / base_path).resolve()
        versions = _select_versions(_version_folders(model_dir), config.get("model_version_policy"))
        return ModelConfig(
            name=name,
            versions={v: _ir_in(model_dir / str(v)) for v in versions},
            target_device=_string(config, "target_device", "CPU"),
            nireq=_nireq(config.get("nireq", 0)),
            plugin_config=_plugin_config(config.get("plugin_config", {})),
            shape=_shapes(config.get("shape")),
            layout=_layouts(config.get("layout")),
        )


def _version_folders(model_dir: Path) -> list[int]:
    if not model_dir.is_dir():
        raise ServeError(f"base_path: no folder {model_dir}")
    return sorted(
        int(p.name) for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit() and int(p.name) > 0
    )


def _select_versions(available: list[int], policy: object) -> list[int]:
    """The versions ``model_version_policy`` picks from ``available`` (default: the latest one)."""
    if not available:
        raise ServeError("base_path: no version folder (a positive integer) in it")
    if policy is None:
        policy = {"latest": {"num_versions": 1}}
    if not isinstance(policy, dict) or len(policy) != 1:
        raise ServeError(
            "model_version_policy: expected one of {'latest': ...}, {'specific': ...}, {'all': {}}"
        )
    ((kind, value),) = policy.items()
    if kind == "all":
        return available
    if kind == "latest" and isinstance(value, dict) and isinstance(value.get("num_versions"), int):
        return available[-max(1, value["num_versions"]) :]
    if kind == "specific" and isinstance(value, dict) and isinstance(value.get("versions"), list):
        missing = sorted(set(value["versions"]) - set(available))
        if missing:
            raise ServeError(f"model_version_policy: version(s) {missing} not found (present: {available})")
        return sorted(set(value["versions"]))
    raise ServeError(f"model_version_policy: can't read {json.dumps(policy)}")


def _ir_in(version_dir: Path) -> Path:
    xmls = sorted(version_dir.glob("*.xml"))
    if len(xmls) != 1 or not xmls[0].with_suffix(".bin").is_file():
        raise ServeError(
            f"{version_dir}: expected exactly one .xml with its .bin, found {[p.name for p in xmls]}"
        )
    return xmls[0]


def _string(config: dict[str, Any], key: str, default: str) -> str:
    value = config.get(key, default)
    if not isinstance(value, str):
        raise ServeError(f"{key}: expected a string")
    return value


def _nireq(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ServeError("nireq: expected an integer >= 0")
    return value


def _plugin_config(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) for v in value.values()
    ):
        raise ServeError("plugin_config: expected an object of strings, numbers or booleans")
    return dict(value)


def _shapes(value: object) -> dict[str, tuple[int, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ServeError("shape: only {input: '(1,3,224,224)'} with fixed shapes is supported")
    shapes = {}
    for name, text in value.items():
        if not isinstance(text, str) or not _SHAPE.match(text.strip()):
            raise ServeError(f"shape.{name}: {text!r}: expected a fixed shape like '(1,3,224,224)'")
        shapes[name] = tuple(int(d) for d in re.findall(r"\d+", text))
    return shapes


def _layouts(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ServeError("layout: only {input: 'NCHW'} is supported")
    return dict(value)
