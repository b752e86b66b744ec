"""Side-by-side speed of two IRs of the same network in one process: what the CPU plugin compiles them to,
how long loading takes, and paired single-inference latency with a confidence interval.

Used by legacy_mo_compare.py (ovzoo's IR vs the legacy Model Optimizer's). On a shared 2-core machine
two benchmark_app runs a minute apart differ by more than the IRs do, so the latency figure here is
the median of per-pair ratios (A and B run back to back, alternating who goes first) with a bootstrap
95 % interval: an interval that straddles 1.0 means no difference this machine can see.
"""

from __future__ import annotations

import collections
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov


@dataclass(frozen=True)
class CompiledGraph:
    nodes: int  # executed nodes of the runtime model (constants left out)
    kernels: collections.Counter  # (layer type, oneDNN primitive) -> count


def compiled_graph(compiled: ov.CompiledModel) -> CompiledGraph:
    """The runtime model the CPU plugin built: its layer types and the kernels it picked."""
    kernels: collections.Counter = collections.Counter()
    for op in compiled.get_runtime_model().get_ops():
        info = op.get_rt_info()
        layer = info["layerType"].astype(str)
        if layer != "Const":
            kernels[(layer, info["primitiveType"].astype(str))] += 1
    return CompiledGraph(sum(kernels.values()), kernels)


def describe_difference(a: CompiledGraph, b: CompiledGraph, names: tuple[str, str]) -> str:
    """'identical ...' or the kernels one graph has more of than the other."""
    if a.kernels == b.kernels:
        return f"identical: {a.nodes} executed nodes, same layer types and kernels"
    extra = []
    for key in sorted(set(a.kernels) | set(b.kernels)):
        diff = a.kernels[key] - b.kernels[key]
        if diff:
            extra.append(f"{names[0] if diff > 0 else names[1]} +{abs(diff)} {key[0]}/{key[1]}")
    return f"differ ({a.nodes} vs {b.nodes} nodes): " + "; ".join(extra)


def load_seconds(xmls: dict[str, Path], config: dict, repeats: int = 5) -> dict[str, dict[str, float]]:
    """Median read_model and compile_model times per IR, alternating the IRs."""
    core = ov.Core()
    times: dict[str, dict[str, list[float]]] = {k: {"read_s": [], "compile_s": []} for k in xmls}
    for i in range(repeats):
        for key in list(xmls) if i % 2 == 0 else list(xmls)[::-1]:
            started = time.perf_counter()
            model = core.read_model(xmls[key])
            read = time.perf_counter()
            core.compile_model(model, "CPU", config)
            times[key]["read_s"].append(read - started)
            times[key]["compile_s"].append(time.perf_counter() - read)
    return {k: {what: statistics.median(v) for what, v in t.items()} for k, t in times.items()}


def ratio_interval(ratios: np.ndarray, seed: int = 0, resamples: int = 2000) -> tuple[float, float, float]:
    """Median of the paired ratios and its bootstrap 95 % interval."""
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(ratios, (resamples, len(ratios))), axis=1)
    low, high = np.percentile(medians, [2.5, 97.5])
    return float(np.median(ratios)), float(low), float(high)


def paired_latency(
    requests: dict[str, ov.InferRequest], image: np.ndarray, rounds: int
) -> dict[str, np.ndarray]:
    """Wall ms of single inferences, the two requests back to back, alternating which goes first."""
    first, second = requests
    walls: dict[str, list[float]] = {first: [], second: []}
    for request in requests.values():
        for _ in range(3):
            request.infer({0: image})
    for i in range(rounds):
        for key in (first, second) if i % 2 == 0 else (second, first):
            started = time.perf_counter()
            requests[key].infer({0: image})
            walls[key].append((time.perf_counter() - started) * 1000)
    return {key: np.array(values) for key, values in walls.items()}
