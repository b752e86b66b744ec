"""Which evaluations a command line asks for, resolved the way accuracy_check 2023.3 resolves them.

- ``-tf FRAMEWORK`` keeps the launchers of that framework (``dlsdk`` is the old name of ``openvino``).
- ``-td DEVICE...``: a launcher without ``device`` is evaluated once per device; one with a ``device``
  only if it is among them. Without ``-td`` such a launcher runs on CPU (accuracy_check stops with
  "missing required fields: device" for the OpenVINO launcher instead).
- ``-m FOLDER...``: a launcher's relative ``model`` is taken in each folder, one evaluation per folder;
  a launcher without ``model`` gets the folder itself, where the IR is ``<entry name>.xml`` or the only
  ``.xml``, and the MXNet checkpoint ``<entry name>*.params`` or the only ``.params``.

Where accuracy_check would find nothing, ovzoo also reads a ``-m`` folder as the root of an
``ovzoo download``/``convert`` tree: the checkpoint at ``public/<name>/[<archive stem>/]<model>``
(``<name>`` is the entry name without ``-mx``) and the IRs at ``public/<name>/<PREC>/<name>.xml``,
every precision present or those of ``--precisions``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ovzoo.accuracy.config import FRAMEWORK_ALIASES, AccuracyConfig, Framework, Launcher, ModelEntry
from ovzoo.errors import OvzooError, within
from ovzoo.vocabulary.precisions import ALL_PRECISIONS

ORIGINAL = "original"  # the precision column of the MXNet launcher
OTHER_IR = "IR"  # the precision column of an IR outside a <PREC> folder
DEFAULT_DEVICE = "CPU"
_CHECKPOINT = re.compile(r"^(?P<prefix>.+)-\d+\.params$")


class AccuracyError(OvzooError):
    """A model file the config needs is missing or ambiguous, or nothing is left to evaluate."""


@dataclass(frozen=True)
class Targets:
    """The command line's say in what runs (accuracy_check's -m, -td, -tf, plus ovzoo's --precisions)."""

    models: tuple[Path, ...] = (Path("."),)
    devices: tuple[str, ...] = ()
    framework: str | None = None
    precisions: tuple[str, ...] | None = None  # None: every IR found


@dataclass(frozen=True)
class Evaluation:
    """One launcher on one model file and device: one row of the report."""

    entry: ModelEntry
    launcher: Launcher
    device: str  # upper case, as OpenVINO names devices
    model_file: Path  # the .params or the .xml
    precision: str  # ORIGINAL for MXNet; the IR's <PREC> folder name, or OTHER_IR
    symbol: Path | None = None  # MXNet: the -symbol.json beside the .params


def _framework(name: str) -> Framework | None:
    return FRAMEWORK_ALIASES.get(name.lower())


def _devices(launcher: Launcher, targets: Targets) -> list[str]:
    wanted = [d.upper() for d in targets.devices]
    if launcher.device is not None:
        return [launcher.device.upper()] if not wanted or launcher.device.upper() in wanted else []
    return wanted or [DEFAULT_DEVICE]


def _single(found: list[Path], what: str, where: Path) -> Path | None:
    if len(found) > 1:
        raise AccuracyError(
            f"more than one {what} in {where} ({', '.join(p.name for p in sorted(found))}); "
            "name the file in the launcher's model"
        )
    return found[0] if found else None


def _checkpoint_at(path: Path, entry: ModelEntry) -> Path | None:
    """accuracy_check's MXNet search: the file itself, or in a folder ``<entry>*.params`` else ``*.params``."""
    if path.is_file():
        return path
    if path.is_dir():
        return _single(
            sorted(path.glob(f"{entry.name}*.params")) or sorted(path.glob("*.params")),
            "MXNet checkpoint",
            path,
        )
    return None


def _ir_at(path: Path, entry: ModelEntry) -> Path | None:
    """accuracy_check's IR search: the file itself, or in a folder ``<entry>.xml`` else the only ``*.xml``."""
    if path.is_file():
        return path
    if path.is_dir():
        return _single(sorted(path.glob(f"{entry.name}.xml")) or sorted(path.glob("*.xml")), "IR", path)
    return None


def _zoo_checkpoint(root: Path, entry: ModelEntry, launcher: Launcher) -> Path | None:
    folder = root / "public" / entry.name.removesuffix("-mx")
    assert launcher.model is not None  # the config parser requires it for mxnet
    name = Path(launcher.model).name
    if (folder / name).is_file():
        return folder / name
    return _single(sorted(p for p in folder.glob(f"*/{name}") if p.is_file()), name, folder)


def _zoo_irs(root: Path, entry: ModelEntry, precisions: Sequence[str] | None) -> dict[str, Path]:
    folder = root / "public" / entry.name
    found = {p: folder / p / f"{entry.name}.xml" for p in (precisions or ALL_PRECISIONS)}
    missing = [p for p, xml in found.items() if not xml.is_file()]
    if precisions and missing:
        raise AccuracyError(
            f"no {', '.join(missing)} IR at {folder}/<PREC>/{entry.name}.xml; run 'ovzoo convert' "
            "(FP32, FP16) or 'ovzoo quantize' (INT8) first"
        )
    return {p: xml for p, xml in found.items() if p not in missing}


def _symbol_for(params: Path) -> Path:
    match = _CHECKPOINT.match(params.name)
    symbol = params.with_name(f"{match['prefix'] if match else params.stem}-symbol.json")
    if not symbol.is_file():
        raise AccuracyError(f"the MXNet symbol {symbol} is missing beside {params.name}")
    return symbol


def _candidates(launcher: Launcher, targets: Targets) -> list[tuple[Path, Path]]:
    """(-m folder, path the launcher's model is looked for at), one per -m folder as accuracy_check copies them."""
    if launcher.model is not None and Path(launcher.model).is_absolute():
        return [(targets.models[0], Path(launcher.model))]
    return [(root, root / launcher.model if launcher.model else root) for root in targets.models]


def _model_files(entry: ModelEntry, launcher: Launcher, targets: Targets) -> list[tuple[str, Path]]:
    """(precision, model file) for every -m folder, or the error that accuracy_check would stop on."""
    out: list[tuple[str, Path]] = []
    for root, path in _candidates(launcher, targets):
        if launcher.framework == "mxnet":
            params = _checkpoint_at(path, entry)
            if params is None and (root / "public").is_dir():
                params = _zoo_checkpoint(root, entry, launcher)
            if params is None:
                raise AccuracyError(
                    f"no MXNet checkpoint at {path}; point -m at its folder or at the root of "
                    f"'ovzoo download --name {entry.name.removesuffix('-mx')} -o DIR', or pass -tf openvino"
                )
            out.append((ORIGINAL, params))
            continue
        xml = _ir_at(path, entry)
        if xml is not None:
            out.append((xml.parent.name if xml.parent.name in ALL_PRECISIONS else OTHER_IR, xml))
        elif (root / "public").is_dir() and launcher.model is None:
            irs = _zoo_irs(root, entry, targets.precisions)
            if not irs:
                raise AccuracyError(
                    f"no IR under {root / 'public' / entry.name} (looked for {', '.join(ALL_PRECISIONS)}); "
                    "run 'ovzoo convert' first"
                )
            out.extend(irs.items())
        else:
            raise AccuracyError(
                f"no IR at {path} (looked for {entry.name}.xml or a single .xml); point -m at the "
                "<PREC> folder of 'ovzoo convert' or at its output root, or pass -tf mxnet"
            )
    if launcher.framework == "openvino" and targets.precisions is not None:
        out = [(p, xml) for p, xml in out if p in targets.precisions]
    return out


def plan_evaluations(config: AccuracyConfig, targets: Targets) -> list[Evaluation]:
    """Every (launcher, model file, device) the command line selects, in accuracy_check's order.

    Raises:
        AccuracyError: a selected launcher's model is missing or ambiguous, a launcher asks for MXNet off
            the CPU, an unknown -tf, or nothing left to evaluate.
    """
    framework = None
    if targets.framework is not None:
        framework = _framework(targets.framework)
        if framework is None:
            raise AccuracyError(
                f"-tf {targets.framework}: ovzoo runs {', '.join(sorted(FRAMEWORK_ALIASES))} launchers"
            )
    plan = []
    for entry in config.models:
        for launcher in entry.launchers:
            if framework is not None and launcher.framework != framework:
                continue
            devices = _devices(launcher, targets)
            if not devices:
                continue
            if launcher.framework == "mxnet" and devices != [DEFAULT_DEVICE]:
                raise AccuracyError(
                    f"model {entry.name!r}: ovzoo runs the MXNet launcher on CPU only, not {', '.join(devices)}"
                )
            with within(str(config.path)), within(f"model {entry.name!r}"):
                for precision, model_file in _model_files(entry, launcher, targets):
                    symbol = _symbol_for(model_file) if launcher.framework == "mxnet" else None
                    plan += [Evaluation(entry, launcher, d, model_file, precision, symbol) for d in devices]
    if not plan:
        raise AccuracyError(
            "no launcher of the config is left to evaluate (check -tf, -td and --precisions)",
            (str(config.path),),
        )
    return plan
