"""Converted IRs -> an OpenVINO Model Server repository: ``<repo>/<name>/<version>/<name>.xml|.bin``
plus ``<repo>/config.json``.

Everything is checked before anything is written (every IR present, no version folder that already
holds other bytes, a readable config.json), so a failed export leaves the repository as it was. A
version folder appears whole: its files are hard-linked (copied across filesystems) into a
temporary folder beside it, which is then renamed into place.
"""

from __future__ import annotations

import filecmp
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import openvino as ov

from ovzoo.atomic import atomic_directory_sibling, atomic_write, atomic_write_text
from ovzoo.catalog.model import Model
from ovzoo.errors import ExportError, ModelNotDownloaded, OvzooError, within
from ovzoo.export.config import ModelEntry, merge_entries, read_config, render_config
from ovzoo.ir.reading import IrReadError, read_ir
from ovzoo.outcome import Outcomes
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.model_repository import CONFIG_NAME, DEFAULT_PLUGIN_CONFIG, layout_name, version_dir
from ovzoo.vocabulary.precisions import ALL_PRECISIONS

# what ovzoo export can read: the converter's and the quantizer's precisions
EXPORT_PRECISIONS = ALL_PRECISIONS

Action = Literal["link", "copy", "unchanged"]


@dataclass(frozen=True)
class ExportOptions:
    ir_dir: Path  # where ovzoo convert / quantize wrote <ir_dir>/public/<name>/<PREC>/<name>.xml
    repository: Path
    precisions: tuple[str, ...] = ("FP16",)
    version: int = 1
    target_device: str = "CPU"
    dry_run: bool = False


@dataclass(frozen=True)
class ExportedVersion:
    """One IR placed (or planned) as one version of one served model."""

    model: str
    precision: str
    served_name: str  # the model name clients use in /v2/models/<served_name>
    version_dir: Path
    action: Action  # "unchanged": the folder already held exactly these bytes


@dataclass
class ExportReport(Outcomes):
    config_path: Path
    exported: list[ExportedVersion] = field(default_factory=list)
    config_changed: bool = False
    dry_run: bool = False


def served_name(model: Model, precision: str, precisions: Sequence[str]) -> str:
    """The model's name alone when one precision is exported, else ``<name>-<precision>`` (lower case)."""
    return model.name if len(precisions) == 1 else f"{model.name}-{precision.lower()}"


@dataclass(frozen=True)
class _Placement:
    version: ExportedVersion
    source_xml: Path
    entry: ModelEntry


def export_models(models: Sequence[Model], options: ExportOptions) -> ExportReport:
    """Lay out ``models`` (each precision) as one Model Server repository and merge its config.json.

    Nothing is written when any model fails, or on a dry run.

    Raises:
        ExportError: the existing config.json can't be read, or writing failed (what was added is removed).
    """
    if options.version < 1:
        raise ExportError(f"--version must be a positive integer, got {options.version}")
    config_path = options.repository / CONFIG_NAME
    report = ExportReport(config_path=config_path, dry_run=options.dry_run)
    config = read_config(config_path)
    placements: list[_Placement] = []
    for model in models:
        try:
            with within(f'model "{model.name}"'):
                placements.extend(_plan_model(model, options))
        except OvzooError as e:
            report.fail(model.name, e)
    if report.failed:
        return report
    new_text = render_config(merge_entries(config, [p.entry for p in placements]))
    report.config_changed = not config_path.exists() or config_path.read_text(encoding="utf-8") != new_text
    if options.dry_run:
        report.exported = [p.version for p in placements]
    else:
        report.exported = _write(placements, config_path, new_text if report.config_changed else None)
    return report


def _plan_model(model: Model, options: ExportOptions) -> list[_Placement]:
    placements = []
    for precision in options.precisions:
        with within(precision):
            xml = ir_path(options.ir_dir, model, precision)
            if not (xml.is_file() and xml.with_suffix(".bin").is_file()):
                raise ModelNotDownloaded(
                    f"no IR at {xml} (+ .bin): run 'ovzoo convert' (or 'ovzoo quantize' for INT8) "
                    f"with -o {options.ir_dir} first"
                )
            name = served_name(model, precision, options.precisions)
            target = version_dir(options.repository, name, options.version)
            action = _existing_version(target, xml, model.name, options.version)
            placements.append(
                _Placement(
                    version=ExportedVersion(model.name, precision, name, target, action),
                    source_xml=xml,
                    entry=_entry_for(xml, name, options.target_device),
                )
            )
    return placements


def _existing_version(version_dir: Path, xml: Path, file_stem: str, version: int) -> Action:
    """``unchanged`` when ``version_dir`` holds exactly this IR, ``link`` when it doesn't exist.

    Raises:
        ExportError: the version exists with other files or other bytes.
    """
    if not version_dir.exists():
        return "link"
    wanted = {f"{file_stem}.xml": xml, f"{file_stem}.bin": xml.with_suffix(".bin")}
    present = sorted(p.name for p in version_dir.iterdir())
    same = present == sorted(wanted) and all(
        filecmp.cmp(version_dir / name, source, shallow=False) for name, source in wanted.items()
    )
    if not same:
        raise ExportError(
            f"version {version} already exists at {version_dir} with other content; "
            f"export as a new version (--version {_next_free_version(version_dir.parent)})"
        )
    return "unchanged"


def _next_free_version(model_dir: Path) -> int:
    versions = [int(p.name) for p in model_dir.iterdir() if p.name.isdigit()]
    return max(versions, default=0) + 1


def _entry_for(xml: Path, name: str, target_device: str) -> ModelEntry:
    """The config entry: ``shape`` for inputs with a static shape, ``layout`` where the IR has one."""
    try:
        ir = read_ir(ov.Core(), xml)
    except IrReadError as e:
        raise ExportError(str(e), (str(xml),)) from None
    shape, layout = {}, {}
    for port in ir.inputs:
        input_name = port.get_any_name()
        partial = port.get_partial_shape()
        if partial.is_static:
            shape[input_name] = "(" + ",".join(str(d) for d in partial.to_shape()) + ")"
        if layout_name(port):
            layout[input_name] = layout_name(port)
    return ModelEntry(
        name=name,
        base_path=name,
        target_device=target_device,
        shape=shape,
        layout=layout,
        plugin_config=dict(DEFAULT_PLUGIN_CONFIG),
    )


def _write(
    placements: Sequence[_Placement], config_path: Path, config_text: str | None
) -> list[ExportedVersion]:
    """Place every new version folder, then the config; returns what was done (link or copy)."""
    created: list[Path] = []
    done = []
    try:
        for placement in placements:
            version = placement.version
            if version.action != "unchanged":
                method = _place_version(placement.source_xml, version.version_dir, version.model)
                created.append(version.version_dir)
                version = replace(version, action=method)
            done.append(version)
        if config_text is not None:
            atomic_write_text(config_path, config_text)
        return done
    except OSError as e:
        for version_dir in created:  # leave the repository as it was
            shutil.rmtree(version_dir, ignore_errors=True)
        raise ExportError(f"could not write the repository: {e}", (str(config_path.parent),)) from e


def _place_version(xml: Path, target: Path, file_stem: str) -> Action:
    """Fill a temporary folder beside ``target`` and rename it into place; the .bin goes first."""
    method: Action = "link"
    with atomic_directory_sibling(target) as staging:
        for source in (xml.with_suffix(".bin"), xml):
            staged = staging / f"{file_stem}{source.suffix}"
            try:
                os.link(source, staged)
            except OSError:  # another filesystem, or links not allowed: copy the bytes (fsynced)
                with source.open("rb") as reader, atomic_write(staged) as writer:
                    shutil.copyfileobj(reader, writer, 1 << 20)
                method = "copy"
        os.rename(staging, target)
    return method
