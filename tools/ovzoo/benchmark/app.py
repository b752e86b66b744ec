"""The ``benchmark_app`` driver: its command line, running it, reading its JSON statistics.

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
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import openvino as ov

from ovzoo.benchmark.records import BenchmarkOptions, InferPrecision, Timing
from ovzoo.errors import BenchmarkError

log = logging.getLogger(__name__)

# compile and first inference of a 25 M-parameter model take seconds on 2 cores
_STARTUP_ALLOWANCE_S = 180


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


def default_inference_precision(device: str = "CPU") -> str:
    """What ``-infer_precision`` defaults to on ``device`` (``f32``, or ``bf16`` on CPUs with AVX512-BF16/AMX)."""
    try:
        hint = ov.Core().get_property(device, "INFERENCE_PRECISION_HINT")
    except RuntimeError:
        return "unknown"
    return {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}.get(
        hint.get_type_name(), hint.get_type_name()
    )


def device_name(device: str) -> str:
    try:
        return str(ov.Core().get_property(device, "FULL_DEVICE_NAME"))
    except RuntimeError:
        return device
