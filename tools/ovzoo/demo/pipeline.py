"""``ovzoo demo``: the whole pipeline offline, on a synthetic checkpoint of one OctConv model.

synthesise the checkpoint (fixed seed; reused when the archive on disk still has the recorded sha384)
-> serve it from a mirror on 127.0.0.1 -> download it with the normal downloader through a descriptor
overlay (size and sha384 verified, unpacked) -> convert FP32 and FP16 (and INT8 when quantization is
available) -> validate against MXNet -> benchmark -> ``<output>/report.md``.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ovzoo.atomic import atomic_write_text
from ovzoo.benchmark import (
    BenchmarkOptions,
    InferPrecision,
    default_inference_precision,
    run_benchmarks,
)
from ovzoo.catalog.loader import load_model_file, load_models
from ovzoo.catalog.model import Checksum, Model
from ovzoo.convert.converter import convert_model
from ovzoo.demo.records import DemoOptions, DemoResult
from ovzoo.demo.report import render_report
from ovzoo.download.downloader import DownloadOptions, download_models
from ovzoo.download.hashing import file_matches
from ovzoo.download.local_mirror import serve_directory
from ovzoo.errors import DownloadError, ModelSelectionError, OvzooError
from ovzoo.validate import validate_model
from ovzoo.zoo.synth import SynthArchive, octave_spec, synthesize_archive, write_descriptor_overlay

log = logging.getLogger(__name__)

STAGES = 7
# synthetic INT8 calibration images: 64 keep the demo inside its time budget and the INT8 IR within limits
DEMO_CALIBRATION_IMAGES = 64


def run_demo(options: DemoOptions) -> DemoResult:
    """Run every stage; returns the result (the report is written even when a check fails).

    Raises:
        OvzooError: a stage that later stages depend on failed (synthesis, download, conversion).
    """
    out = Path(options.output_dir)
    result = DemoResult(report_md=out / "report.md")
    started = time.perf_counter()
    catalog_model = find_catalog_model(options.model_name)
    octave_spec(options.model_name)  # a catalog model without a builder fails here, before any work
    with _stage(result, 1, "synthesise", f"synthetic {options.model_name} checkpoint (seed {options.seed})"):
        mirror = demo_mirror(out, options.model_name)
        archive, reused = prepare_synthetic_archive(catalog_model, mirror, options.seed)
        if reused:
            result.notes.append(f"reused the synthetic archive {archive.path} (sha384 verified)")
    with serve_directory(archive.path.parent) as base_url:
        overlay = out / "models" / options.model_name / "model.yml"
        write_descriptor_overlay(catalog_model, archive, base_url + archive.path.name, overlay)
        model = load_model_file(overlay, options.model_name)
        with _stage(result, 2, "download", f"from the local mirror {base_url} (verified, unpacked)"):
            _download(model, out)
    download_dir, ir_dir = out / "download", out / "ir"
    with _stage(result, 3, "convert", "FP32 and FP16 IR"):
        convert_model(model, download_dir, ir_dir, ("FP32", "FP16"))
    precisions = ["FP32", "FP16"]
    with _stage(result, 4, "quantize", "INT8 with NNCF on synthetic calibration images"):
        precisions += _quantize(model, ir_dir, options, result)
    with _stage(result, 5, "validate", f"{', '.join(precisions)} against MXNet on {options.images} images"):
        result.validation = validate_model(model, download_dir, ir_dir, precisions, "mxnet", options.images)
    with _stage(result, 6, "benchmark", f"benchmark_app and MXNet, {options.seconds:g} s per run"):
        bench_options = BenchmarkOptions(
            seconds=options.seconds, infer_precisions=_infer_precisions(options, result)
        )
        result.benchmark = run_benchmarks(
            [model], ir_dir, precisions, bench_options, out / "benchmark", download_dir, "mxnet"
        )
    with _stage(result, 7, "report", str(result.report_md)):
        result.stage_seconds["total"] = time.perf_counter() - started
        atomic_write_text(result.report_md, render_report(model, archive, result, options))
    return result


@contextmanager
def _stage(result: DemoResult, number: int, name: str, what: str) -> Iterator[None]:
    """Announce a stage on stderr and time it."""
    log.info("[demo %d/%d] %s: %s", number, STAGES, name, what)
    tick = time.perf_counter()
    yield
    result.stage_seconds[name] = time.perf_counter() - tick
    log.info("[demo %d/%d] %s done in %.1f s", number, STAGES, name, result.stage_seconds[name])


def _infer_precisions(options: DemoOptions, result: DemoResult) -> tuple[InferPrecision, ...]:
    if options.infer_precisions is not None:
        return options.infer_precisions
    default = default_inference_precision()
    if default == "f32":
        result.notes.append(
            "this CPU infers in f32 by default, so the benchmark has no separate 'default' rows"
        )
        return ("f32",)
    result.notes.append(f"this CPU infers in {default} by default: 'default' rows show that speed")
    return ("f32", "default")


def demo_mirror(output_dir: Path, model_name: str) -> Path:
    """The folder the demo serves a model's synthetic archive from (one per model, so each keeps its cache)."""
    return Path(output_dir) / "mirror" / model_name


def find_catalog_model(name: str) -> Model:
    """The catalog's (models/) descriptor for ``name``.

    Raises:
        ModelSelectionError: not in the catalog.
    """
    model = next((m for m in load_models() if m.name == name), None)
    if model is None:
        raise ModelSelectionError(f"{name!r} is not in the catalog (models/)")
    return model


# the code whose output the synthetic archive is; a change to any of it invalidates a cached archive
_BUILDER_MODULES = (
    "ovzoo.zoo.mxsymbol",
    "ovzoo.zoo.octave_layers",
    "ovzoo.zoo.resnet",
    "ovzoo.zoo.densenet",
    "ovzoo.zoo.octave",
    "ovzoo.zoo.weights",
    "ovzoo.zoo.synth",
    "ovzoo.mxnet.params",
    "ovzoo.images",
)


def builder_fingerprint() -> str:
    """sha256 over the source of the modules that build the synthetic archive."""
    digest = hashlib.sha256()
    for name in _BUILDER_MODULES:
        digest.update(Path(importlib.import_module(name).__file__ or "").read_bytes())
    return digest.hexdigest()


def prepare_synthetic_archive(model: Model, mirror_dir: Path, seed: int = 0) -> tuple[SynthArchive, bool]:
    """Build the synthetic archive into ``mirror_dir``, or reuse the one there when it still hashes to what was
    recorded for this model, seed and builder code. Returns the archive and whether it was reused.

    Raises:
        ModelSelectionError: no synthetic builder for the model.
    """
    stamp = mirror_dir / "synth.json"
    builder = builder_fingerprint()
    try:
        recorded = json.loads(stamp.read_text())
        archive = SynthArchive(mirror_dir / recorded["file"], int(recorded["size"]), recorded["sha384"])
        if (recorded["model"], recorded["seed"], recorded.get("builder")) == (
            model.name,
            seed,
            builder,
        ) and file_matches(archive.path, archive.size, Checksum("sha384", archive.sha384)):
            log.info("reusing %s (sha384 %s...)", archive.path, archive.sha384[:16])
            return archive, True
    except (OSError, ValueError, KeyError, TypeError):
        pass  # no stamp, or a stale one: build afresh
    archive = synthesize_archive(model.name, mirror_dir, seed)
    atomic_write_text(
        stamp,
        json.dumps(
            {
                "model": model.name,
                "seed": seed,
                "file": archive.path.name,
                "size": archive.size,
                "sha384": archive.sha384,
                "builder": builder,
            },
            indent=2,
        )
        + "\n",
    )
    return archive, False


def _download(model: Model, out: Path) -> None:
    options = DownloadOptions(
        output_dir=out / "download", cache_dir=out / "cache", num_attempts=2, timeout=30
    )
    report = download_models([model], options)
    if not report.ok:
        raise DownloadError("; ".join(str(f) for f in report.failures), (f"model {model.name!r}",))


def _quantize(model: Model, ir_dir: Path, options: DemoOptions, result: DemoResult) -> list[str]:
    """INT8 precisions produced, or [] with a note when quantization is off, missing, or failed."""
    if not options.quantize:
        result.notes.append("INT8 skipped (--no_int8)")
        return []
    try:
        from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
    except ImportError as e:
        result.notes.append(f"INT8 skipped: ovzoo.quantize is not usable here ({e})")
        return []
    quantize_options = QuantizeOptions(
        download_dir=ir_dir,
        output_dir=ir_dir,
        calibration=Calibration("synthetic", subset_size=DEMO_CALIBRATION_IMAGES),
        precisions=("FP16-INT8",),
    )
    try:
        results = quantize_model(model, quantize_options)
    except OvzooError as e:
        result.notes.append(f"INT8 skipped: quantization failed ({e})")
        log.warning("INT8 skipped: %s", e)
        return []
    for r in results:
        if r.kept_float:
            result.notes.append(
                f"{r.precision}: {len(r.kept_float)} grouped convolutions stay in float (groups not a multiple "
                "of 4 channels: no fast INT8 kernel in OpenVINO's CPU plugin)"
            )
    return [r.precision for r in results]
