"""The trained octave-digits-tiny model taken through download (loopback mirror) and convert."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class DigitsZoo:
    """The trained model taken through download, convert and quantize, with its data exported."""

    model: Model
    models_dir: Path  # download/convert/quantize root: public/octave-digits-tiny/...
    data_dir: Path  # -s for the digits_test dataset: digits_test/ (held out) and digits_train/


def prepare_digits_zoo(root: Path) -> DigitsZoo:
    """download (loopback mirror) -> convert FP32/FP16 -> quantize both INT8 IRs on the training images."""
    from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model  # noqa: PLC0415 (imports NNCF)
    from ovzoo.zoo.digits import export_split  # noqa: PLC0415

    models_dir, data_dir = root / "models", root / "data"
    model = download_and_convert(models_dir)
    calibration = export_split(data_dir, "train")  # calibrate on training images
    export_split(data_dir, "test")  # evaluate on the held-out ones
    quantize_model(model, QuantizeOptions(models_dir, models_dir, Calibration("dataset", 300, calibration)))
    return DigitsZoo(model, models_dir, data_dir)
