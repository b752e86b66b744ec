"""Benchmark models: every IR precision with benchmark_app, the MXNet original the same way, then the files."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import openvino as ov

from ovzoo.benchmark.app import run_benchmark_app
from ovzoo.benchmark.chart import write_chart
from ovzoo.benchmark.mxnet_timing import time_original
from ovzoo.benchmark.records import MXNET, BenchmarkOptions, BenchmarkReport, Measurement, Timing
from ovzoo.benchmark.results import write_results
from ovzoo.catalog.model import Model
from ovzoo.errors import BenchmarkError, OvzooError
from ovzoo.ir.reading import IrReadError, read_ir
from ovzoo.outcome import Failure
from ovzoo.vocabulary.layout import ir_path

log = logging.getLogger(__name__)


def benchmark_model(
    model: Model,
    ir_dir: Path,
    precisions: Sequence[str],
    options: BenchmarkOptions,
    work_dir: Path,
    download_dir: Path | None = None,
    reference: Literal["mxnet", "none"] = "mxnet",
) -> tuple[list[Measurement], list[Failure]]:
    """Every requested precision x inference precision of one model, plus the MXNet original.

    Returns the measurements and a failure per run that failed (the others still run).
    """
    timings: list[tuple[str, str, str, Timing]] = []  # engine, precision, infer precision, timing
    failures: list[Failure] = []
    input_shape: tuple[int, ...] | None = None
    for precision in precisions:
        xml = ir_path(ir_dir, model, precision)
        if not xml.is_file():
            problem = f"no IR at {xml}; run 'ovzoo convert' first"
            failures.append(Failure(model.name, BenchmarkError(problem, (model.name, precision)), precision))
            continue
        try:
            input_shape = tuple(read_ir(ov.Core(), xml).inputs[0].get_partial_shape().to_shape())
        except IrReadError as e:  # a truncated .bin or a malformed .xml; benchmark_app would fail alike
            problem = f"can't read {xml}: {e}"
            failures.append(Failure(model.name, BenchmarkError(problem, (model.name, precision)), precision))
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
                failures.append(
                    Failure(
                        model.name,
                        e.within(f"{infer_precision} inference").within(precision).within(model.name),
                        precision,
                    )
                )
                continue
            timings.append(("openvino", precision, infer_precision, timing))
    if reference == "mxnet" and input_shape is not None:
        try:
            timings.append(
                (
                    "mxnet",
                    MXNET,
                    "f32",
                    time_original(model, download_dir or ir_dir, ir_dir, input_shape, options),
                )
            )
        except OvzooError as e:
            failures.append(Failure(model.name, e.within(MXNET).within(model.name), MXNET))
    return _measurements(model, timings, options.batch), failures


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
    failures: list[Failure] = []
    for model in models:
        rows, failed = benchmark_model(
            model, ir_dir, precisions, options, output_dir / "benchmark_app", download_dir, reference
        )
        measurements += rows
        failures += failed
    results = output_dir / "results.json"
    write_results(results, measurements, options, failures)
    chart = output_dir / "fps.png" if measurements else None
    if chart is not None:
        write_chart(measurements, chart)
    return BenchmarkReport(tuple(measurements), options, results, chart, failures=failures)
