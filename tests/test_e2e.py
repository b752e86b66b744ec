"""The CI conversion check: the whole pipeline on synthetic checkpoints of the eight OctConv models, and the demo.

For each model: synthesise the upstream-layout archive (of exactly the public size), serve it from
127.0.0.1, download it with the normal downloader through a descriptor overlay (size and sha384
verified, unpacked), convert FP32 and FP16, and validate both against the MXNet original. Any failed
check fails the test, listed by name. The synthetic classifier must also tell unseen images apart.
Three members take this path through ``ovzoo demo --name`` with INT8 (test_demo_name), held to the
same checks; this module runs the other five.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ovzoo.catalog.loader import load_model_file
from ovzoo.convert.converter import convert_model
from ovzoo.demo import DemoOptions, demo_mirror, find_catalog_model, prepare_synthetic_archive, run_demo
from ovzoo.download.downloader import DownloadOptions, download_models
from ovzoo.download.local_mirror import serve_directory
from ovzoo.validate import validate_model
from ovzoo.vocabulary.layout import ir_path
from ovzoo.zoo.octave import PUBLIC_MODELS
from ovzoo.zoo.synth import write_descriptor_overlay
from support.family_checks import IMAGES, INT8_DEMO_MODELS, assert_separates_unseen_images

pytestmark = pytest.mark.slow

CONVERSION_ONLY = [name for name in PUBLIC_MODELS if name not in INT8_DEMO_MODELS]


def test_every_member_has_a_pipeline_check() -> None:
    assert len(CONVERSION_ONLY) == 5 and set(INT8_DEMO_MODELS) | set(CONVERSION_ONLY) == set(PUBLIC_MODELS)


@pytest.mark.parametrize("name", CONVERSION_ONLY)
def test_pipeline_end_to_end(name: str, synthetic_mirrors: Path, tmp_path: Path) -> None:
    catalog = find_catalog_model(name)
    archive, _ = prepare_synthetic_archive(catalog, demo_mirror(synthetic_mirrors / name, name), seed=0)
    assert archive.size == catalog.files[0].size  # the public archive's size: every array and the JSON right
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
    validation = validate_model(
        model, tmp_path / "download", tmp_path / "ir", ("FP32", "FP16"), "mxnet", IMAGES
    )
    failed = [f"{c.precision} {c.name}: {c.detail or c.measured}" for c in validation.failed]
    assert not failed, "\n".join(failed)
    # the card figures were checked on the IR, not skipped
    assert "no card" not in str(validation.check("cost.gflops", "FP32").limit)
    assert float(validation.check("parity.top1_agreement", "FP16").measured) >= 0.9
    assert_separates_unseen_images(ir_path(tmp_path / "ir", model, "FP32"))


def test_demo_runs_offline_and_writes_the_report(synthetic_mirrors: Path) -> None:
    out = synthetic_mirrors / "octave-resnext-50-0.25"  # its mirror holds the archive the pipeline test built
    prepare_synthetic_archive(
        find_catalog_model("octave-resnext-50-0.25"), demo_mirror(out, "octave-resnext-50-0.25")
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
