"""Helpers for catalog tests: a valid descriptor to break one field at a time, and a models root writer."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from support.required import shared_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
OMZ_REFERENCE = shared_dir("omz-reference")

SHA384 = "ab" * 48
SHA256 = "cd" * 32

# the smallest descriptor that uses every part of the schema, in the public short forms
VALID_DESCRIPTOR: dict[str, Any] = {
    "description": "A test classifier.",
    "task_type": "classification",
    "files": [
        {
            "name": "weights.tar",
            "size": 10240,
            "checksum": SHA384,
            "source": "https://example.com/weights.tar",
        },
        {
            "name": "extra/labels.txt",
            "size": 0,
            "checksum": {"$type": "sha256", "value": SHA256},
            "source": {"$type": "http", "url": "file:///srv/labels.txt"},
            "original_source": {"$type": "google_drive", "id": "abc123"},
        },
    ],
    "postprocessing": [
        {"$type": "unpack_archive", "format": "tar", "file": "weights.tar"},
        {
            "$type": "regex_replace",
            "file": "weights/model.json",
            "pattern": r"(\d+)x",
            "replacement": r"\1y",
            "count": 2,
        },
    ],
    "input_info": [{"name": "data", "shape": [1, 3, 224, 224], "layout": "NCHW"}],
    "model_optimizer_args": ["--reverse_input_channels", "--input_model=$dl_dir/weights/m-0000.params"],
    "framework": "mxnet",
    "quantizable": True,
    "license": "https://example.com/LICENSE",
    "output_info": [{"name": "prob", "shape": [1, 1000]}],
    "card": {"gflops": 1.5, "mparams": 2.5, "accuracy": {"top1": 70.0, "top5": 90.0}},
    "validation": {"fp32_logit_atol": 0.001, "fp16": {"min_top1_agreement": 0.9}},
}


def valid_descriptor() -> dict[str, Any]:
    return copy.deepcopy(VALID_DESCRIPTOR)


def write_model(root: Path, name: str, descriptor: dict[str, Any] | str | bytes) -> Path:
    """Write root/<name>/model.yml from a dict (dumped as YAML), a text or raw bytes; return its path."""
    path = root / name / "model.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(descriptor, bytes):
        path.write_bytes(descriptor)
    elif isinstance(descriptor, str):
        path.write_text(descriptor, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(descriptor, sort_keys=False), encoding="utf-8")
    return path
