"""Measured layer times, kept per machine so that the measuring is paid once.

A JSON file in the user's cache directory (``$OVZOO_CACHE_DIR`` or ``~/.cache/ovzoo``), under
``layer-costs/v1.json``: ``{"<machine> | <precision> | <layer key>": {"<merge>": ms, ...}}`` where the
machine part names the CPU and the OpenVINO version. Updates re-read the file under a
file lock and replace it atomically, so concurrent conversions never lose or tear each other's
entries; a missing or unreadable file is an empty cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openvino as ov

from ovzoo.atomic import atomic_write_text
from ovzoo.locations import default_cache_dir

log = logging.getLogger(__name__)

CACHE_FILE = Path("layer-costs") / "v1.json"
IDENTITY_FILE = "machine-v1.json"  # beside the cache file: {fingerprint: Machine}


def default_cost_cache() -> Path:
    return default_cache_dir() / CACHE_FILE


def machine_key(core: ov.Core) -> str:
    cpu = core.get_property("CPU", "FULL_DEVICE_NAME")
    return f"{cpu} | OpenVINO {ov.get_version().split('-')[0]}"


@dataclass(frozen=True)
class Machine:
    """What the cost keys need to know about this machine."""

    key: str  # machine_key: the CPU's name and the OpenVINO version
    default_precision: str  # the CPU plugin's INFERENCE_PRECISION_HINT ("bf16", "f32", ...)

    @classmethod
    def ask(cls, core: ov.Core) -> Machine:
        return cls(machine_key(core), core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string())


def this_machine(cache_path: Path, make_core: Callable[[], ov.Core] = ov.Core) -> Machine:
    """This machine's :class:`Machine`, recorded beside the cost cache ``cache_path``.

    Asking means loading the CPU plugin, about 8 MB of a conversion's peak memory for two strings,
    so the answer is kept under a fingerprint of the CPU (its /proc/cpuinfo name and flags) and
    the OpenVINO build; a conversion whose layers are all cached then never loads the plugin.
    Without /proc/cpuinfo the plugin is asked every time.
    """
    fingerprint = _fingerprint()
    path = cache_path.with_name(IDENTITY_FILE)
    if fingerprint is not None:
        try:
            known = json.loads(path.read_text()).get(fingerprint)
            if isinstance(known, dict):
                return Machine(str(known["key"]), str(known["default_precision"]))
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # missing or unreadable: ask, and write it again
    machine = Machine.ask(make_core())
    if fingerprint is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            record = {fingerprint: {"key": machine.key, "default_precision": machine.default_precision}}
            atomic_write_text(path, json.dumps(record, indent=1) + "\n")
        except OSError as e:
            log.debug("could not record this machine in %s (%s)", path, e)
    return machine


def _fingerprint() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    first: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        first.setdefault(name.strip(), value.strip())
    if "flags" not in first:  # not an x86 cpuinfo: nothing stable to key on
        return None
    text = "\n".join((first.get("model name", ""), first["flags"], ov.get_version()))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class CostCache:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.entries: dict[str, dict[str, float]] = self._read()

    def _read(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            log.warning("ignoring unreadable layer cost cache %s (%s)", self.path, e)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> dict[int, float] | None:
        """The cached {merge: ms} of ``key``; None if missing or not such a mapping (edited by hand, or
        written by another version): that layer shape is then timed again and its entry replaced."""
        if key not in self.entries:
            return None
        costs = _costs(self.entries[key])
        if costs is None:
            log.warning("ignoring a malformed entry %r in the layer cost cache %s", key, self.path)
        return costs

    def put(self, new: dict[str, dict[int, float]], replace: bool = False) -> None:
        """Add ``new`` entries to the file, merged with what other processes wrote meanwhile.

        An entry another process wrote first wins (unless ``replace``): every conversion then decides
        on the same figures; read them back with :meth:`get`.
        """
        if not new:
            return
        encoded = {key: {str(m): ms for m, ms in costs.items()} for key, costs in new.items()}
        import filelock  # only writers lock: a conversion whose layers are all cached never loads it

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with filelock.FileLock(self.path.with_suffix(".lock")):
                on_disk = {k: v for k, v in self._read().items() if _costs(v) is not None}
                self.entries = {**on_disk, **encoded} if replace else {**encoded, **on_disk}
                atomic_write_text(self.path, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
        except OSError as e:  # a read-only cache only costs a new measurement next time
            log.warning("could not update the layer cost cache %s (%s)", self.path, e)
            self.entries = {**self.entries, **encoded} if replace else {**encoded, **self.entries}


def _costs(entry: object) -> dict[int, float] | None:
    """A cache entry as {merge: ms}, or None unless it is a non-empty mapping of positive times."""
    if not isinstance(entry, dict) or not entry:
        return None
    try:
        costs = {int(merge): float(ms) for merge, ms in entry.items()}
    except (TypeError, ValueError):
        return None
    return costs if all(ms > 0 for ms in costs.values()) else None
