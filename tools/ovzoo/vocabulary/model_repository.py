"""The OpenVINO Model Server repository layout, shared by ``ovzoo export`` (writes it) and
``ovzoo serve`` (reads it): ``<repo>/config.json`` and ``<repo>/<name>/<version>/<any>.xml|.bin``."""

from __future__ import annotations

from pathlib import Path

import openvino as ov

CONFIG_NAME = "config.json"
# what both ends compile with when config.json gives no hint: many requests in flight at once
DEFAULT_PLUGIN_CONFIG = {"PERFORMANCE_HINT": "THROUGHPUT"}


def version_dir(repository: Path, name: str, version: int) -> Path:
    """``<repo>/<name>/<version>``: one version of one served model."""
    return Path(repository) / name / str(version)


def layout_name(port: ov.Output) -> str:
    """The IR input's layout as the Model Server config writes it (``"NCHW"``); "" when it has none."""
    layout = port.get_node().get_layout()
    return "" if layout.empty else layout.to_string().strip("[]").replace(",", "")
