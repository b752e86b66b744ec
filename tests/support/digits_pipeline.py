"""The trained octave-digits-tiny model taken through download (loopback mirror) and convert."""

from __future__ import annotations

from pathlib import Path

from ovzoo.catalog.loader import load_model_file
from ovzoo.catalog.model import Model
from ovzoo.convert.converter import convert_model
from ovzoo.download.downloader import DownloadOptions, download_models
from ovzoo.download.local_mirror import serve_directory

REPO_ROOT = Path(__file__).resolve().parents[2]
DIGITS_DIR = REPO_ROOT / "models" / "octave-digits-tiny"
DIGITS_CONFIG = REPO_ROOT / "accuracy_configs" / "octave-digits-tiny.yml"


def digits_model() -> Model:
    return load_model_file(DIGITS_DIR / "model.yml")


def download_and_convert(out: Path, precisions: tuple[str, ...] = ("FP32", "FP16")) -> Model:
    """Fetch the committed archive over a real HTTP mirror on 127.0.0.1, unpack, convert into ``out``."""
    model = digits_model()
    with serve_directory(DIGITS_DIR) as base_url:
        report = download_models(
            [model], DownloadOptions(output_dir=out, mirrors=(base_url,), num_attempts=1)
        )
    assert report.ok, report.results
    convert_model(model, out, out, precisions)
    return model
