"""What a benchmark run is asked to do and what it measures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ovzoo.outcome import Outcomes

Hint = Literal["latency", "throughput"]
InferPrecision = Literal["f32", "bf16", "default"]
MXNET = "MXNet"


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


@dataclass
class BenchmarkReport(Outcomes):
    measurements: tuple[Measurement, ...]
    options: BenchmarkOptions
    results_json: Path
    chart: Path | None
