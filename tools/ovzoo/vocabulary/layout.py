"""Where a model's files live under a directory: the omz_downloader / omz_converter layout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the convert path never loads the catalog
    from ovzoo.catalog.model import Model


def model_dir(root: Path, model: Model) -> Path:
    """``<root>/public/<name>``: the checkpoint (download dir) or the IR folders (output dir)."""
    return Path(root) / model.subdirectory


def ir_path(root: Path, model: Model, precision: str) -> Path:
    """``<root>/public/<name>/<PREC>/<name>.xml``; the ``.bin`` is beside it."""
    return model_dir(root, model) / precision / f"{model.name}.xml"
