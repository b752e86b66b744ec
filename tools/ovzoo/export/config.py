"""The Model Server's ``config.json``: read an existing one, merge entries into it, render it.

Only ``model_config_list`` entries whose ``config.name`` ovzoo exports are touched; every other entry
(and every other top-level list: pipelines, MediaPipe graphs, custom loaders, monitoring) is kept
as it was, in its place. Rendering is deterministic (2-space indent, keys in insertion order, a final
newline) so exporting the same models twice gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovzoo.errors import ExportError


@dataclass(frozen=True)
class ModelEntry:
    """What ovzoo writes into one ``model_config_list[].config``."""

    name: str
    base_path: str  # relative to the config file
    target_device: str
    shape: dict[str, str]  # input name -> "(1,3,224,224)"; only static inputs
    layout: dict[str, str]  # input name -> "NCHW"; only inputs whose IR carries a layout
    plugin_config: dict[str, str]

    def as_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "base_path": self.base_path}
        config["target_device"] = self.target_device
        if self.shape:
            config["shape"] = dict(self.shape)
        if self.layout:
            config["layout"] = dict(self.layout)
        if self.plugin_config:
            config["plugin_config"] = dict(self.plugin_config)
        return config


def read_config(path: Path) -> dict[str, Any]:
    """The parsed ``config.json`` at ``path``; an empty ``model_config_list`` when there is none.

    Raises:
        ExportError: the file is not JSON or has no usable ``model_config_list``.
    """
    if not path.exists():
        return {"model_config_list": []}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ExportError(f"can't read it as JSON: {e}", (str(path),)) from e
    if not isinstance(data, dict):
        raise ExportError("expected a JSON object at the top level", (str(path),))
    entries = data.setdefault("model_config_list", [])
    if not isinstance(entries, list):
        raise ExportError("model_config_list: expected a list", (str(path),))
    for i, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("config"), dict)):
            raise ExportError(f"model_config_list[{i}]: expected {{'config': {{...}}}}", (str(path),))
        if not isinstance(entry["config"].get("name"), str):
            raise ExportError(f"model_config_list[{i}].config.name: expected a string", (str(path),))
    return data


def merge_entries(config: dict[str, Any], entries: Sequence[ModelEntry]) -> dict[str, Any]:
    """``config`` with each entry added, or updated in place when an entry of that name exists.

    Keys ovzoo does not write (``nireq``, ``model_version_policy``...) that a user added to an
    existing entry are kept: the export refreshes what it knows and leaves the rest alone.
    """
    merged = json.loads(json.dumps(config))  # a deep copy: the caller's dict stays as read
    model_list: list[dict[str, Any]] = merged["model_config_list"]
    for entry in entries:
        ours = entry.as_config()
        for item in model_list:
            if item["config"]["name"] == entry.name:
                kept = {k: v for k, v in item["config"].items() if k not in ours and k not in _OWNED_KEYS}
                item["config"] = {**ours, **kept}
                break
        else:
            model_list.append({"config": ours})
    return merged


# keys whose value ovzoo decides: dropped when an update no longer has them (a model now dynamic)
_OWNED_KEYS = frozenset({"name", "base_path", "target_device", "shape", "layout", "plugin_config"})


def render_config(config: dict[str, Any]) -> str:
    """The text of ``config.json``: stable bytes for equal content."""
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"
