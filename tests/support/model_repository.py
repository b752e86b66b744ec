"""Model Server repositories for the export and serve tests: the digits IRs exported, the OVMS schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from ovzoo.export.repository import ExportOptions, export_models
from support.digits_pipeline import digits_model, download_and_convert
from support.required import require, shared_dir

OVMS_SCHEMA = shared_dir("ovms") / "models_config_schema.json"
DIGITS = "octave-digits-tiny"


def check_ovms_config(path: Path) -> dict:
    """Parse ``path`` and validate it against the schema OpenVINO Model Server checks (raises on failure)."""
    require(OVMS_SCHEMA.is_file(), f"the Model Server config schema ({OVMS_SCHEMA})", "../shared/ovms")
    schema = json.loads(OVMS_SCHEMA.read_text())
    config = json.loads(path.read_text())
    jsonschema.validate(config, schema)
    return config


def converted_digits(out: Path) -> Path:
    """The digits model downloaded and converted (FP32, FP16) into ``out``; returns ``out``."""
    download_and_convert(out, ("FP32", "FP16"))
    return out


def exported_digits(ir_dir: Path, repository: Path, precision: str = "FP32") -> Path:
    """``repository`` holding the digits model (one precision, version 1); returns the repository."""
    report = export_models([digits_model()], ExportOptions(ir_dir, repository, (precision,)))
    assert report.ok, report.failed
    return repository
