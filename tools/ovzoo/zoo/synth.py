"""Synthetic OctConv checkpoints laid out exactly like the upstream archives.

The real weights can't be fetched here (FACTS.md section 1), so ovzoo builds stand-ins: the upstream
symbol byte for byte, a ``.params`` file with the upstream names, shapes and dtypes, tarred the way
the upstream archive is (GNU format, 10240-byte records; ``<stem>/checkpoint-0-symbol.json`` and
``<stem>/checkpoint-0-0000.params``), so the archive has the upstream size. The same seed gives a
byte-identical archive: member metadata is fixed and the weights come from seeded generators.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ovzoo.atomic import atomic_write, atomic_write_text
from ovzoo.catalog.model import Model
from ovzoo.errors import DescriptorError, ModelSelectionError
from ovzoo.images import image_like_batch
from ovzoo.mxnet.params import encode_parts, encoded_size
from ovzoo.zoo.octave import OCTAVE_FAMILY, OctaveSpec, build_symbol_json
from ovzoo.zoo.weights import logits, normalise, synthesize_weights, top1_margins

log = logging.getLogger(__name__)

ARCHIVE_MTIME = 1556668800  # 2019-05-01 00:00 UTC, fixed so the archive's bytes depend on the seed only


@dataclass(frozen=True)
class SynthArchive:
    path: Path
    size: int
    sha384: str


@dataclass(frozen=True)
class Separation:
    """How clearly the synthetic classifier tells image-like inputs apart."""

    images: int
    min_margin: float  # smallest top-1 minus top-2 logit
    median_margin: float
    distinct_top1: int  # number of different top-1 classes


def octave_spec(model_name: str) -> OctaveSpec:
    """The builder spec for a model name.

    Raises:
        ModelSelectionError: no synthetic builder for that name.
    """
    try:
        return OCTAVE_FAMILY[model_name]
    except KeyError:
        raise ModelSelectionError(
            f"no synthetic builder for {model_name!r}; known: {', '.join(sorted(OCTAVE_FAMILY))}"
        ) from None


class _PartsReader(io.RawIOBase):
    """A read-only file over a sequence of byte chunks (so the .params never sits in memory twice)."""

    def __init__(self, parts: Iterator[bytes | memoryview]) -> None:
        self._parts = parts
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._current:
            chunk = next(self._parts, None)
            if chunk is None:
                return 0
            self._current = memoryview(chunk).cast("B")
        count = min(len(buffer), len(self._current))
        buffer[:count] = self._current[:count]
        self._current = self._current[count:]
        return count


def _member(name: str, size: int, directory: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 0 if directory else size
    info.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    info.mode = 0o755 if directory else 0o644
    info.mtime = ARCHIVE_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _sha384(path: Path) -> str:
    digest = hashlib.sha384()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(spec: OctaveSpec, arrays: Mapping[str, np.ndarray], out_dir: Path) -> SynthArchive:
    """Tar the symbol and ``arrays`` as ``out_dir/<spec.archive>`` (atomically)."""
    path = Path(out_dir) / spec.archive
    symbol = build_symbol_json(spec).encode("utf-8")
    prefix = spec.checkpoint_prefix
    with atomic_write(path, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.GNU_FORMAT) as tar:
        tar.addfile(_member(spec.stem, 0, directory=True))
        tar.addfile(
            _member(f"{prefix}-0000.params", encoded_size(arrays)),
            io.BufferedReader(_PartsReader(encode_parts(arrays)), 1 << 20),
        )
        tar.addfile(_member(f"{prefix}-symbol.json", len(symbol)), io.BytesIO(symbol))
    archive = SynthArchive(path, path.stat().st_size, _sha384(path))
    log.info("wrote %s (%d bytes)", path, archive.size)
    return archive


def synthesize_archive(model_name: str, out_dir: Path, seed: int = 0) -> SynthArchive:
    """Build and write the synthetic archive of ``model_name``; same seed, same bytes.

    Raises:
        ModelSelectionError: no synthetic builder for that name.
    """
    spec = octave_spec(model_name)
    return write_archive(spec, synthesize_weights(spec, seed), out_dir)


def measure_separation(
    spec: OctaveSpec, arrays: Mapping[str, np.ndarray], images: int = 32, seed: int = 0
) -> Separation:
    """Top-1/top-2 logit margins over ``images`` image-like inputs, computed by MXNet."""
    batch = normalise(image_like_batch(images, seed, spec.input_size))
    values = logits(spec, arrays, batch)
    margins = top1_margins(values)
    return Separation(
        images, float(margins.min()), float(np.median(margins)), len(set(values.argmax(axis=1)))
    )


def descriptor_overlay_text(model: Model, archive: SynthArchive, source: str) -> str:
    """The model's model.yml with ``files[0]`` describing the synthetic archive (raw YAML kept otherwise).

    Raises:
        DescriptorError: the model's descriptor can't be read or has no files.
    """
    try:
        raw = yaml.safe_load(Path(model.config_path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise DescriptorError(f"can't read the descriptor: {e}", (str(model.config_path),)) from e
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), list) or not raw["files"]:
        raise DescriptorError("no files[] to replace", (str(model.config_path),))
    entry = dict(raw["files"][0])
    entry.update(name=archive.path.name, size=archive.size, checksum=archive.sha384, source=source)
    entry.pop("original_source", None)
    raw["files"] = [entry, *raw["files"][1:]]
    header = (
        f"# {model.name}: synthetic checkpoint (ovzoo synth), not the real weights.\n"
        f"# Derived from {model.config_path}; only files[0] differs.\n"
    )
    return header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=100)


def write_descriptor_overlay(model: Model, archive: SynthArchive, source: str, out_file: Path) -> None:
    """Write :func:`descriptor_overlay_text` to ``out_file`` atomically.

    Raises:
        DescriptorError: the model's descriptor can't be read or has no files.
    """
    atomic_write_text(Path(out_file), descriptor_overlay_text(model, archive, source))
