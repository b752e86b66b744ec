"""Helpers for downloader tests: models built directly as catalog records, seeded payloads."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path, PurePosixPath

from ovzoo.catalog.model import Checksum, Model, ModelFile, Postprocessing


def payload(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def checksum_of(data: bytes, algorithm: str = "sha384") -> Checksum:
    return Checksum(algorithm, hashlib.new(algorithm, data).hexdigest())  # type: ignore[arg-type]


def model_file(name: str, data: bytes, source: str, algorithm: str = "sha384") -> ModelFile:
    return ModelFile(PurePosixPath(name), len(data), checksum_of(data, algorithm), source)


def make_model(
    name: str, files: tuple[ModelFile, ...], postprocessing: tuple[Postprocessing, ...] = ()
) -> Model:
    return Model(
        name=name,
        subdirectory=PurePosixPath("public") / name,
        description="test model",
        task_type="classification",
        framework="mxnet",
        license_url="https://example.invalid/LICENSE",
        files=files,
        postprocessing=postprocessing,
    )


def leftovers(directory: Path) -> list[str]:
    """Every file under ``directory`` (relative, sorted): what a failed run left behind."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if not p.is_dir())
