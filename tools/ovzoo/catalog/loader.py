"""Loading the catalog: find every model.yml under a models root, parse it strictly, check names.

Every failure is a :class:`~ovzoo.errors.DescriptorError` whose context names the config file and the
model (``models/x/model.yml: model "x": files[0].size: ...``), never a bare KeyError or YAML traceback.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import yaml

from ovzoo.catalog.model import Model
from ovzoo.catalog.schema import parse_model
from ovzoo.catalog.selection import select_models
from ovzoo.errors import DescriptorError, within
from ovzoo.locations import package_data_dir

log = logging.getLogger(__name__)

MODELS_DIR_ENV = "OVZOO_MODELS_DIR"
CONFIG_NAME = "model.yml"

__all__ = ["default_models_root", "display_path", "load_model_file", "load_models", "select_models"]


def default_models_root() -> Path:
    """``$OVZOO_MODELS_DIR`` if set, else the catalog shipped with the package."""
    env = os.environ.get(MODELS_DIR_ENV)
    # The catalog ships inside the package (tools/ovzoo/models; the repository's models/ links to it).
    return Path(env) if env else package_data_dir("models")


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_models(root: Path | None = None) -> list[Model]:
    """Load every ``*/model.yml`` under ``root`` (any depth, hidden folders skipped), sorted by name.

    Raises:
        DescriptorError: a missing or empty root, a broken descriptor, or a model name used twice.
    """
    root = Path(root) if root is not None else default_models_root()
    if not root.is_dir():
        raise DescriptorError(
            f"models directory {display_path(root)} does not exist (set --models_dir or ${MODELS_DIR_ENV})"
        )
    seen: dict[str, Path] = {}
    models: list[Model] = []
    for config in find_configs(root):
        name = config.parent.name
        if name in seen:
            raise DescriptorError(
                f"duplicate model name: also defined in {display_path(seen[name])}",
                (display_path(config), f'model "{name}"'),
            )
        seen[name] = config
        models.append(load_model_file(config, name))
    if not models:
        raise DescriptorError(f"no {CONFIG_NAME} found under {display_path(root)}")
    log.debug("loaded %d models from %s", len(models), root)
    return sorted(models, key=lambda m: m.name)


def find_configs(root: Path) -> list[Path]:
    """All model.yml files under root, in a stable order; symlinked folders are not followed (no loops)."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if CONFIG_NAME in files:
            found.append(Path(folder) / CONFIG_NAME)
    return found


def load_model_file(path: Path, name: str | None = None) -> Model:
    """Load one descriptor; the model name defaults to its folder's name.

    Raises:
        DescriptorError: unreadable file, invalid YAML, or anything the schema refuses.
    """
    path = Path(path)
    name = path.resolve().parent.name if name is None else name
    with within(display_path(path)), within(f'model "{name}"'):
        data = read_yaml(path)
        return parse_model(data, name, path.resolve())


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                continue  # unhashable: the base class reports it
            if key in seen:
                mark = key_node.start_mark
                raise DescriptorError(
                    f'duplicate key "{key}" at line {mark.line + 1}, column {mark.column + 1}'
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> object:
    """Parse one YAML document; empty files and syntax errors become one-line DescriptorErrors."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise DescriptorError(f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise DescriptorError(f"cannot read: {e.strerror or e}") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = e.problem or e.context or "syntax error"
        raise DescriptorError(f"invalid YAML{where}: {problem}") from None
    except yaml.YAMLError as e:
        raise DescriptorError(f"invalid YAML: {' '.join(str(e).split())}") from None
    if data is None:
        raise DescriptorError("file is empty")
    return data
