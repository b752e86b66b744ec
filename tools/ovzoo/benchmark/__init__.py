"""``ovzoo benchmark``: the benchmark_app driver (``app``), the MXNet baseline (``mxnet_timing``), the run over
models (``runner``), and what it writes: the table (``tables``), ``fps.png`` (``chart``), ``results.json`` (``results``).
"""

from ovzoo.benchmark.app import (
    benchmark_app_command,
    benchmark_app_executable,
    default_inference_precision,
    parse_benchmark_report,
    run_benchmark_app,
)
from ovzoo.benchmark.mxnet_timing import time_mxnet
from ovzoo.benchmark.records import (
    MXNET,
    BenchmarkOptions,
    BenchmarkReport,
    Hint,
    InferPrecision,
    Measurement,
    Timing,
)
from ovzoo.benchmark.runner import benchmark_model, run_benchmarks
from ovzoo.benchmark.tables import format_measurements

__all__ = [
    "MXNET",
    "BenchmarkOptions",
    "BenchmarkReport",
    "Hint",
    "InferPrecision",
    "Measurement",
    "Timing",
    "benchmark_app_command",
    "benchmark_app_executable",
    "benchmark_model",
    "default_inference_precision",
    "format_measurements",
    "parse_benchmark_report",
    "run_benchmark_app",
    "run_benchmarks",
    "time_mxnet",
]
