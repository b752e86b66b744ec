"""Where ovzoo's own files live: data shipped inside the package, and the user cache.

Package data (the catalog, the accuracy configs) is returned as real directories.

The rest of ovzoo works on ``pathlib.Path``: descriptors name files beside them, IRs record the
checksum of a bundled archive, and users see paths in messages. From a checkout, an editable install
or a wheel, ``importlib.resources`` already gives a directory on disk. From a zip (zipimport, a
zipapp) it gives a ``Traversable`` only: the tree is then copied once into the user cache, under a
name that includes the package version and a digest of the contents, so a changed zip never reads a
stale copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import platformdirs

from ovzoo import __version__

__all__ = ["CACHE_DIR_VARIABLE", "default_cache_dir", "package_data_dir"]

CACHE_DIR_VARIABLE = "OVZOO_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$OVZOO_CACHE_DIR``, else the user's cache directory (``~/.cache/ovzoo`` on Linux)."""
    configured = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("ovzoo", appauthor=False))


def package_data_dir(name: str) -> Path:
    """The directory ``ovzoo/<name>`` as a path on disk (extracted once when ovzoo runs from a zip)."""
    tree = resources.files("ovzoo").joinpath(name)
    if isinstance(tree, Path):
        return tree
    return _extracted(tree, name)


def _walk(tree: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    """(relative path, file) for every file below ``tree``, sorted, hidden entries skipped."""
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(tree.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_walk(entry, relative + "/"))
        else:
            found.append((relative, entry))
    return found


def _extracted(tree: Traversable, name: str) -> Path:
    files = _walk(tree)
    digest = hashlib.sha256()
    for relative, entry in files:
        digest.update(relative.encode() + b"\0" + hashlib.sha256(entry.read_bytes()).digest())
    target = default_cache_dir() / "package-data" / f"{__version__}-{digest.hexdigest()[:16]}" / name
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        for relative, entry in files:
            out = staging / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(entry.read_bytes())
        try:
            staging.rename(target)  # atomic: a second process either wins or finds it complete
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
