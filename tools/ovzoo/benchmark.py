"""Time converted IRs with the real ``benchmark_app`` and the MXNet original the same way, side by side.

benchmark_app traps handled here (FACTS 6): it ships as ``benchmark_app`` beside the interpreter
(``python -m openvino.tools.benchmark.main`` silently does nothing); ``-report_folder`` must exist
before it runs; its stdout switches latency units between us and ms, so ``-json_stats`` is parsed
instead (``benchmark_report.json``: every value a string, latencies in ms); ``-infer_precision``
sets the inference precision, ``-ip`` would only set the input tensor type.
"""

from __future__ import annotations

import json
import logging
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import openvino as ov

from ovzoo.atomic import atomic_write, atomic_write_text
from ovzoo.catalog.model import Model
from ovzoo.convert.converter import ir_path
from ovzoo.convert.mo_args import parse_mo_args
from ovzoo.errors import BenchmarkError, ModelNotDownloaded, OvzooError
from ovzoo.images import image_like_batch
from ovzoo.tables import markdown_table, text_table

log = logging.getLogger(__name__)

Hint = Literal["latency", "throughput"]
InferPrecision = Literal["f32", "bf16", "default"]
MXNET = "MXNet"
# compile and first inference of a 25 M-parameter model take seconds on 2 cores
_STARTUP_ALLOWANCE_S = 180


@dataclass(frozen=True)
class BenchmarkOptions:
    seconds: float = 10.0
    hint: Hint = "latency"
    infer_precisions: tuple[InferPrecision, ...] = ("f32",)
    batch: int = 1
    device: str = "CPU"


@dataclass(frozen=True)
class Timing:
    """What one timed run gives: throughput, median latency per request, iterations."""

    fps: float
    median_latency_ms: float
    iterations: int


@dataclass(frozen=True)
class Measurement:
    """One row of the results table."""

    model: str
    engine: str  # "openvino" or "mxnet"
    precision: str  # IR precision, or "MXNet" for the original
    infer_precision: str
    batch: int
    fps: float
    median_latency_ms: float
    iterations: int
    gflops_per_s: float | None  # card GFLOPs x FPS
    speedup: float | None  # FPS over the MXNet original's


@dataclass(frozen=True)
class BenchmarkReport:
    measurements: tuple[Measurement, ...]
    options: BenchmarkOptions
    results_json: Path
    chart: Path | None
    failures: dict[str, str] = field(default_factory=dict)  # "<model> <precision>" -> why

    @property
    def ok(self) -> bool:
        return not self.failures


def benchmark_app_executable() -> Path:
    """The ``benchmark_app`` of the running environment (next to ``sys.executable``).

    Raises:
        BenchmarkError: it is not installed there.
    """
    path = Path(sys.executable).parent / "benchmark_app"
    if not path.is_file():
        raise BenchmarkError(
            f"benchmark_app not found next to {sys.executable}; it ships with the openvino "
            "wheel (make setup installs it)"
        )
    return path


def benchmark_app_command(
    xml: Path,
    options: BenchmarkOptions,
    infer_precision: InferPrecision,
    input_shape: Sequence[int],
    report_dir: Path,
) -> list[str]:
    """The benchmark_app command line for one IR (pure: nothing runs)."""
    command = [
        str(benchmark_app_executable()),
        "-m",
        str(xml),
        "-d",
        options.device,
        "-t",
        str(max(1, math.ceil(options.seconds))),
        "-hint",
        options.hint,
        "-report_type",
        "no_counters",
        "-report_folder",
        str(report_dir),
        "-json_stats",
    ]
    if options.batch != input_shape[0]:
        command += ["-shape", "[" + ",".join(str(d) for d in (options.batch, *input_shape[1:])) + "]"]
    if infer_precision != "default":
        command += ["-infer_precision", infer_precision]
    return command


def run_benchmark_app(
    xml: Path,
    options: BenchmarkOptions,
    infer_precision: InferPrecision,
    input_shape: Sequence[int],
    report_dir: Path,
) -> Timing:
    """Run benchmark_app on ``xml`` and read its JSON statistics.

    Raises:
        BenchmarkError: it failed, timed out, or wrote no readable report.
    """
    report_dir.mkdir(parents=True, exist_ok=True)  # benchmark_app crashes at the end otherwise
    report = report_dir / "benchmark_report.json"
    report.unlink(missing_ok=True)
    command = benchmark_app_command(xml, options, infer_precision, input_shape, report_dir)
    log.debug("running %s", " ".join(command))
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            timeout=options.seconds + _STARTUP_ALLOWANCE_S,
            env={**os.environ},
        )
    except subprocess.TimeoutExpired as e:
        raise BenchmarkError(f"benchmark_app did not finish in {e.timeout:.0f} s", (str(xml),)) from None
    if done.returncode != 0 or not report.is_file():
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        raise BenchmarkError(f"benchmark_app exited with {done.returncode}: {tail}", (str(xml),))
    return parse_benchmark_report(report)


def parse_benchmark_report(path: Path) -> Timing:
    """Throughput, median latency and iterations from a ``-json_stats`` report (values are strings, ms).

    Raises:
        BenchmarkError: the file lacks one of them.
    """
    try:
        results = json.loads(path.read_text())["execution_results"]
        return Timing(
            fps=float(results["throughput"]),
            median_latency_ms=float(results["latency (ms)"]),
            iterations=int(results["total number of iterations"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise BenchmarkError(
            f"unreadable benchmark_app report ({type(e).__name__}: {e})", (str(path),)
        ) from None


def time_mxnet(
    symbol: Path, params: Path, batch: np.ndarray, seconds: float, input_name: str = "data"
) -> Timing:
    """Time the MXNet original's forward pass on ``batch`` (already in its input space) for ``seconds``.

    Like benchmark_app in latency mode: one request at a time, after one warm-up run.

    Raises:
        ReferenceUnavailable: mxnet is not importable.
    """
    from ovzoo.mxnet.reference import MXNetReference

    original = MXNetReference.load(symbol, params, batch.shape, input_name=input_name)
    original.forward(batch)  # warm-up: memory allocation, operator selection
    latencies: list[float] = []
    started = time.perf_counter()
    while not latencies or time.perf_counter() - started < seconds:
        tick = time.perf_counter()
        original.forward(batch)
        latencies.append(time.perf_counter() - tick)
    total = sum(latencies)
    return Timing(
        fps=len(latencies) * len(batch) / total,
        median_latency_ms=statistics.median(latencies) * 1e3,
        iterations=len(latencies),
    )


def benchmark_model(
    model: Model,
    ir_dir: Path,
    precisions: Sequence[str],
    options: BenchmarkOptions,
    work_dir: Path,
    download_dir: Path | None = None,
    reference: Literal["mxnet", "none"] = "mxnet",
) -> tuple[list[Measurement], dict[str, str]]:
    """Every requested precision x inference precision of one model, plus the MXNet original.

    Returns the measurements and, per failed run, why it failed (the others still run).
    """
    timings: list[tuple[str, str, str, Timing]] = []  # engine, precision, infer precision, timing
    failures: dict[str, str] = {}
    input_shape: tuple[int, ...] | None = None
    for precision in precisions:
        xml = ir_path(ir_dir, model, precision)
        if not xml.is_file():
            failures[f"{model.name} {precision}"] = f"no IR at {xml}; run 'ovzoo convert' first"
            continue
        try:
            input_shape = tuple(ov.Core().read_model(xml).inputs[0].get_partial_shape().to_shape())
        except RuntimeError as e:  # a truncated .bin or a malformed .xml; benchmark_app would fail alike
            failures[f"{model.name} {precision}"] = f"can't read {xml}: {str(e).splitlines()[0]}"
            continue
        for infer_precision in options.infer_precisions:
            log.info(
                "%s %s (%s inference): benchmark_app for %g s",
                model.name,
                precision,
                infer_precision,
                options.seconds,
            )
            try:
                timing = run_benchmark_app(
                    xml,
                    options,
                    infer_precision,
                    input_shape,
                    work_dir / model.name / f"{precision}-{infer_precision}",
                )
            except BenchmarkError as e:
                failures[f"{model.name} {precision} {infer_precision}"] = str(e)
                continue
            timings.append(("openvino", precision, infer_precision, timing))
    if reference == "mxnet" and input_shape is not None:
        try:
            timings.append(
                (
                    "mxnet",
                    MXNET,
                    "f32",
                    _time_original(model, download_dir or ir_dir, ir_dir, input_shape, options),
                )
            )
        except OvzooError as e:
            failures[f"{model.name} {MXNET}"] = str(e)
    return _measurements(model, timings, options.batch), failures


def _time_original(
    model: Model, download_dir: Path, ir_dir: Path, input_shape: tuple[int, ...], options: BenchmarkOptions
) -> Timing:
    spec = parse_mo_args(model, download_dir, ir_dir)
    missing = [p for p in (spec.input_symbol, spec.input_model) if not p.is_file()]
    if missing:
        raise ModelNotDownloaded(
            f"checkpoint not found ({missing[0]}); pass -d DOWNLOAD_DIR or --reference none"
        )
    images = image_like_batch(options.batch, seed=0, size=int(input_shape[-1]))[:, ::-1]  # BGR, like the IR's
    log.info("%s MXNet original: forward loop for %g s", model.name, options.seconds)
    return time_mxnet(
        spec.input_symbol, spec.input_model, spec.original_input(images), options.seconds, spec.input_name
    )


def _measurements(model: Model, timings: list[tuple[str, str, str, Timing]], batch: int) -> list[Measurement]:
    base = next((t.fps for engine, _, _, t in timings if engine == "mxnet"), None)
    return [
        Measurement(
            model=model.name,
            engine=engine,
            precision=precision,
            infer_precision=infer_precision,
            batch=batch,
            fps=t.fps,
            median_latency_ms=t.median_latency_ms,
            iterations=t.iterations,
            gflops_per_s=None if model.card.gflops is None else model.card.gflops * t.fps,
            speedup=None if base is None else t.fps / base,
        )
        for engine, precision, infer_precision, t in timings
    ]


TABLE_HEADERS = (
    "model",
    "precision",
    "inference precision",
    "batch",
    "FPS",
    "median latency (ms)",
    "GFLOP/s",
    "speed-up vs MXNet",
)


def table_rows(measurements: Sequence[Measurement]) -> list[list[object]]:
    return [
        [
            m.model,
            m.precision,
            m.infer_precision,
            m.batch,
            f"{m.fps:.2f}",
            f"{m.median_latency_ms:.2f}",
            None if m.gflops_per_s is None else f"{m.gflops_per_s:.1f}",
            None if m.speedup is None else f"{m.speedup:.2f}x",
        ]
        for m in measurements
    ]


def format_measurements(measurements: Sequence[Measurement], markdown: bool = False) -> str:
    rows = table_rows(measurements)
    return markdown_table(TABLE_HEADERS, rows) if markdown else text_table(TABLE_HEADERS, rows)


def write_chart(measurements: Sequence[Measurement], path: Path) -> None:
    """A PNG bar chart of FPS per model, precision and inference precision (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [
        f"{m.model}\n{m.precision} ({m.infer_precision})"
        if len({x.model for x in measurements}) > 1
        else f"{m.precision}\n({m.infer_precision})"
        for m in measurements
    ]
    colours = ["tab:gray" if m.engine == "mxnet" else "tab:blue" for m in measurements]
    figure, axes = plt.subplots(figsize=(max(5.0, 1.3 * len(measurements) + 1), 4), layout="constrained")
    bars = axes.bar(range(len(measurements)), [m.fps for m in measurements], color=colours)
    axes.bar_label(
        bars,
        labels=[f"{m.fps:.1f}" + (f"\n{m.speedup:.1f}x" if m.speedup else "") for m in measurements],
        fontsize=8,
    )
    axes.set_xticks(range(len(measurements)), labels, fontsize=8)
    axes.set_ylabel(f"images per second (batch {measurements[0].batch if measurements else 1})")
    axes.set_title("OpenVINO IR (benchmark_app) vs the MXNet original")
    axes.margins(y=0.2)
    with atomic_write(path, "wb") as f:
        figure.savefig(f, format="png", dpi=100)
    plt.close(figure)


def run_benchmarks(
    models: Sequence[Model],
    ir_dir: Path,
    precisions: Sequence[str],
    options: BenchmarkOptions,
    output_dir: Path,
    download_dir: Path | None = None,
    reference: Literal["mxnet", "none"] = "mxnet",
) -> BenchmarkReport:
    """Benchmark every model, then write ``results.json`` and ``fps.png`` under ``output_dir``."""
    measurements: list[Measurement] = []
    failures: dict[str, str] = {}
    for model in models:
        rows, failed = benchmark_model(
            model, ir_dir, precisions, options, output_dir / "benchmark_app", download_dir, reference
        )
        measurements += rows
        failures.update(failed)
    results = output_dir / "results.json"
    document = {
        "openvino": ov.get_version(),
        "device": _device_name(options.device),
        "options": {**asdict(options), "infer_precisions": list(options.infer_precisions)},
        "results": [asdict(m) for m in measurements],
        "failures": failures,
    }
    atomic_write_text(results, json.dumps(document, indent=2) + "\n")
    chart = output_dir / "fps.png" if measurements else None
    if chart is not None:
        write_chart(measurements, chart)
    return BenchmarkReport(tuple(measurements), options, results, chart, failures)


def default_inference_precision(device: str = "CPU") -> str:
    """What ``-infer_precision`` defaults to on ``device`` (``f32``, or ``bf16`` on CPUs with AVX512-BF16/AMX)."""
    try:
        hint = ov.Core().get_property(device, "INFERENCE_PRECISION_HINT")
    except RuntimeError:
        return "unknown"
    return {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}.get(
        hint.get_type_name(), hint.get_type_name()
    )


def _device_name(device: str) -> str:
    try:
        return str(ov.Core().get_property(device, "FULL_DEVICE_NAME"))
    except RuntimeError:
        return device
