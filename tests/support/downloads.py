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


def write_descriptor(
    root: Path, name: str, files: list[tuple[str, bytes, str]], postprocessing: list[dict] | None = None
) -> Path:
    """Write ``root/<name>/model.yml`` for files given as (name, bytes, source URL); return the root."""
    import yaml

    descriptor = {
        "description": "A downloader test model.",
        "task_type": "classification",
        "files": [
            {"name": file_name, "size": len(data), "checksum": checksum_of(data).value, "source": url}
            for file_name, data, url in files
        ],
        "postprocessing": postprocessing or [],
        "model_optimizer_args": ["--input_model=$dl_dir/w-0000.params"],
        "framework": "mxnet",
        "license": "https://example.invalid/LICENSE",
    }
    path = root / name / "model.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(descriptor, sort_keys=False), encoding="utf-8")
    return root
