"""INT8 (and FP16) agreement with MXNet of every family member's synthetic checkpoint, as ``ovzoo demo`` runs it.

Per model: the synthetic archive (seed 0, kept under ``--cache``), served from 127.0.0.1 and downloaded
through a descriptor overlay, FP32+FP16 conversion, FP16-INT8 quantization with NNCF on the demo's
synthetic calibration images, then ``validate_model`` against MXNet on the validator's 16 images.
Printed per model: FP32 max |d prob| (required 1e-4, target 1e-5), FP16 and FP16-INT8 top-1 agreement
and worst-image logit cosine, against the descriptor's limits, and the distinct top-1 classes.

    PYTHONPATH=tools .venv/bin/python benchmarks/int8_family.py [--name M[,M]] [--json FILE]

Run it with ``PYTHONPATH`` at another checkout's ``tools`` to get that checkout's figures (e.g. before
a change to ovzoo.zoo.weights). Exit status 1 when any validation check fails.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRECISIONS = ("FP32", "FP16", "FP16-INT8")


def distinct_top1(ir_dir: Path, model: object, images: int) -> int:
    """Different top-1 classes of the FP32 IR on the validator's images (as tests/test_e2e.py counts them)."""
    import numpy as np
    import openvino as ov

    from ovzoo.images import image_like_batch
    from ovzoo.validate.inference import IrRunner
    from ovzoo.vocabulary.layout import ir_path

    core = ov.Core()
    runner = IrRunner(core, core.read_model(ir_path(ir_dir, model, "FP32")), "prob")  # type: ignore[arg-type]
    batch = np.ascontiguousarray(image_like_batch(images, 0)[:, ::-1])  # BGR, as the IR takes it
    return len(set(runner.run(batch).prob.argmax(axis=1)))


def measure(name: str, cache: Path, work: Path, images: int) -> dict[str, object]:
    from ovzoo.catalog.loader import load_model_file
    from ovzoo.convert.converter import convert_model
    from ovzoo.demo import demo_mirror, find_catalog_model, prepare_synthetic_archive
    from ovzoo.demo.pipeline import DEMO_CALIBRATION_IMAGES
    from ovzoo.download.downloader import DownloadOptions, download_models
    from ovzoo.download.local_mirror import serve_directory
    from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
    from ovzoo.validate import validate_model
    from ovzoo.zoo.synth import write_descriptor_overlay

    started = time.perf_counter()
    catalog = find_catalog_model(name)
    archive, _ = prepare_synthetic_archive(catalog, demo_mirror(cache, name), seed=0)
    with serve_directory(archive.path.parent) as base_url:
        overlay = work / "models" / name / "model.yml"
        write_descriptor_overlay(catalog, archive, base_url + archive.path.name, overlay)
        model = load_model_file(overlay, name)
        report = download_models([model], DownloadOptions(output_dir=work / "download", num_attempts=1))
    if not report.ok:
        raise RuntimeError(f"{name}: download failed: {report.failures}")
    convert_model(model, work / "download", work / "ir", ("FP32", "FP16"))
    calibration = Calibration("synthetic", subset_size=DEMO_CALIBRATION_IMAGES)
    quantize_model(model, QuantizeOptions(work / "ir", work / "ir", calibration, ("FP16-INT8",)))
    validation = validate_model(model, work / "download", work / "ir", PRECISIONS, "mxnet", images)
    row: dict[str, object] = {"model": name, "seconds": round(time.perf_counter() - started, 1)}
    row["fp32_max_d_prob"] = validation.check("parity.probs", "FP32").measured
    for precision in ("FP16", "FP16-INT8"):
        agreement = validation.check("parity.top1_agreement", precision)
        cosine = validation.check("parity.logit_cosine", precision)
        row[f"{precision}_top1"] = f"{agreement.measured} ({agreement.limit})"
        row[f"{precision}_cosine"] = f"{str(cosine.measured).split()[1]} ({cosine.limit})"
    row["distinct_top1"] = distinct_top1(work / "ir", model, images)
    row["failed"] = [f"{c.precision} {c.name}" for c in validation.failed]
    return row


def main(argv: list[str] | None = None) -> int:
    from ovzoo.zoo.octave import PUBLIC_MODELS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=",".join(PUBLIC_MODELS), help="comma-separated models")
    parser.add_argument("--images", type=int, default=16, help="validation images (the demo's 16)")
    parser.add_argument("--cache", type=Path, default=None, help="keep the synthetic archives here")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    rows = []
    with tempfile.TemporaryDirectory(prefix="ovzoo-int8-family-") as tmp:
        cache = args.cache or Path(tmp) / "cache"
        for name in args.name.split(","):
            row = measure(name, cache, Path(tmp) / name, args.images)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    print(
        f"\n{'model':28s} {'FP32 max|dp|':>13s} {'FP16 top-1':>16s} {'FP16 cos':>18s} "
        f"{'INT8 top-1':>17s} {'INT8 cos':>17s} {'distinct':>8s} {'s':>6s}  failed"
    )
    for r in rows:
        print(
            f"{r['model']:28s} {str(r['fp32_max_d_prob']).replace('max |d| ', ''):>13s} {r['FP16_top1']:>16s} "
            f"{r['FP16_cosine']:>18s} {r['FP16-INT8_top1']:>17s} {r['FP16-INT8_cosine']:>17s} "
            f"{r['seconds']:6.0f}  {', '.join(r['failed']) or '-'}"  # type: ignore[arg-type]
        )
    print(
        f"FP16-INT8: NNCF on the demo's synthetic calibration images; validation on {args.images} images (seed 0)"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
