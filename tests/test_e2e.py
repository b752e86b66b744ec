"""The CI conversion check: the whole pipeline on synthetic checkpoints of the catalog models, and the demo.

For each model: synthesise the upstream-layout archive, serve it from 127.0.0.1, download it with the
normal downloader through a descriptor overlay (size and sha384 verified, unpacked), convert FP32 and
FP16, and validate both against the MXNet original. Any failed check fails the test, listed by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ovzoo.catalog.loader import load_model_file
from ovzoo.convert.converter import convert_model
from ovzoo.demo import DemoOptions, find_catalog_model, prepare_synthetic_archive, run_demo
from ovzoo.download.downloader import DownloadOptions, download_models
from ovzoo.download.local_mirror import serve_directory
from ovzoo.validate import validate_model
from ovzoo.zoo.synth import write_descriptor_overlay

pytestmark = pytest.mark.slow

MODELS = ("octave-resnext-50-0.25", "octave-resnet-26-0.25")


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per model holding its synthetic archive; laid out as the demo's mirror, so the demo reuses it."""
    return tmp_path_factory.mktemp("e2e")


@pytest.mark.parametrize("name", MODELS)
def test_pipeline_end_to_end(name: str, mirrors: Path, tmp_path: Path) -> None:
    catalog = find_catalog_model(name)
    archive, _ = prepare_synthetic_archive(catalog, mirrors / name / "mirror", seed=0)
    with serve_directory(archive.path.parent) as base_url:
        overlay = tmp_path / "models" / name / "model.yml"
        write_descriptor_overlay(catalog, archive, base_url + archive.path.name, overlay)
        model = load_model_file(overlay, name)
        report = download_models([model], DownloadOptions(output_dir=tmp_path / "download", num_attempts=1))
    assert report.ok, report.results
    model_dir = tmp_path / "download" / model.subdirectory
    assert not (model_dir / archive.path.name).exists()  # unpack_archive removes the archive
    result = convert_model(model, tmp_path / "download", tmp_path / "ir", ("FP32", "FP16"))
    assert set(result.irs) == {"FP32", "FP16"} and all(xml.is_file() for xml in result.irs.values())
    validation = validate_model(model, tmp_path / "download", tmp_path / "ir", ("FP32", "FP16"), "mxnet", 16)
    failed = [f"{c.precision} {c.name}: {c.detail or c.measured}" for c in validation.failed]
    assert not failed, "\n".join(failed)
    # the card figures were checked on the IR, not skipped
    assert "no card" not in str(validation.check("cost.gflops", "FP32").limit)


def test_demo_runs_offline_and_writes_the_report(mirrors: Path) -> None:
    out = mirrors / "octave-resnext-50-0.25"  # its mirror/ holds the archive the pipeline test built
    prepare_synthetic_archive(
        find_catalog_model("octave-resnext-50-0.25"), out / "mirror"
    )  # (when run alone)
    result = run_demo(DemoOptions(output_dir=out, seconds=1, quantize=False, images=8))
    report = result.report_md.read_text()
    assert "The weights are synthetic" in report
    assert "ovzoo download --name octave-resnext-50-0.25" in report and "ovzoo validate" in report
    assert "| FP32 | f32 |" in report and "| MXNet | f32 |" in report
    assert (out / "benchmark" / "fps.png").is_file() and "![FPS per precision](benchmark/fps.png)" in report
    assert any("reused the synthetic archive" in note for note in result.notes)
    assert result.ok, [f"{c.precision} {c.name}: {c.detail}" for c in result.validation.failed] + [
        str(f) for f in result.benchmark.failures
    ]
