"""The MXNet original timed like benchmark_app in latency mode: the baseline of every speed-up."""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path

import numpy as np

from ovzoo.benchmark.records import BenchmarkOptions, Timing
from ovzoo.catalog.model import Model
from ovzoo.errors import ModelNotDownloaded
from ovzoo.images import image_like_batch
from ovzoo.vocabulary.spec import parse_mo_args

log = logging.getLogger(__name__)


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


def time_original(
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
