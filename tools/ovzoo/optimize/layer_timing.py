"""Time one convolution layer alone on this machine's CPU plugin, for several group merge factors.

Each candidate is a one-layer model (Parameter -> (Group)Convolution -> Result) compiled as the
real model is (latency hint, the given inference precision); for INT8 (precision ``i8``) the input
and the weights pass through FakeQuantize first, as NNCF leaves a quantized layer, so the CPU plugin
runs its INT8 kernel (the rest of an INT8 IR runs at the default precision). The candidates run interleaved, one
inference each per round, so that load from other processes on a shared machine hits them alike;
a candidate's figure is its fastest round (the least disturbed one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import openvino as ov
from openvino import opset8

WARMUP_RUNS = 2
MIN_ROUNDS = 8
MAX_ROUNDS = 200
BUDGET_S = 0.12  # per layer and precision, all candidates together, after warm-up
CLEARLY_SLOWER = 1.3  # after MIN_ROUNDS, a candidate this much slower than the fastest one is dropped


@dataclass(frozen=True)
class ConvLayer:
    """What decides a grouped convolution's speed (everything but the weight values)."""

    input_shape: tuple[int, ...]  # N, C, H, W
    out_channels: int
    kernel: tuple[int, ...]
    groups: int
    strides: tuple[int, ...]
    pads_begin: tuple[int, ...]
    pads_end: tuple[int, ...]
    dilations: tuple[int, ...]

    def key(self) -> str:
        fields = (
            f"in{'x'.join(map(str, self.input_shape))}",
            f"out{self.out_channels}",
            f"k{'x'.join(map(str, self.kernel))}",
            f"g{self.groups}",
            f"s{'x'.join(map(str, self.strides))}",
            f"p{'x'.join(map(str, self.pads_begin))}-{'x'.join(map(str, self.pads_end))}",
            f"d{'x'.join(map(str, self.dilations))}",
        )
        return " ".join(fields)


INT8 = "i8"  # the precision name for timing a quantized layer


def merged_convolution(x: ov.Output, weights: ov.Output, layer: ConvLayer) -> ov.Node:
    """A GroupConvolution of grouped ``weights`` (g, O/g, I/g, k...), or a Convolution of (O, I, k...)."""
    args = (list(layer.strides), list(layer.pads_begin), list(layer.pads_end), list(layer.dilations))
    if weights.get_partial_shape().rank.get_length() == len(layer.input_shape):
        return opset8.convolution(x, weights, *args)
    return opset8.group_convolution(x, weights, *args)


def ungrouped(weights: np.ndarray) -> np.ndarray:
    """Weights of one group as a plain Convolution takes them: (1, O, I, k...) -> (O, I, k...)."""
    return weights[0] if weights.shape[0] == 1 else weights


def _candidate_model(layer: ConvLayer, merge: int, rng: np.random.Generator, int8: bool) -> ov.Model:
    groups = layer.groups // merge
    in_channels = layer.input_shape[1]
    shape = (groups, layer.out_channels // groups, in_channels // groups, *layer.kernel)
    x = opset8.parameter(list(layer.input_shape), np.float32)
    y, weights = (
        x.output(0),
        opset8.constant(ungrouped(rng.standard_normal(shape).astype(np.float32))).output(0),
    )
    if int8:
        y = _fake_quantize(y, 0.0, 4.0, 256)  # unsigned activations (they follow a ReLU)
        weights = _fake_quantize(weights, -3.0, 3.0, 255)  # symmetric weights
    conv = merged_convolution(y, weights, layer)
    return ov.Model([conv.output(0)], [x], f"merge{merge}")


def _fake_quantize(x: ov.Output, low: float, high: float, levels: int) -> ov.Output:
    lo, hi = opset8.constant(np.float32(low)), opset8.constant(np.float32(high))
    return opset8.fake_quantize(x, lo, hi, lo, hi, levels).output(0)


def time_merges(core: ov.Core, layer: ConvLayer, merges: tuple[int, ...], precision: str) -> dict[int, float]:
    """Fastest wall milliseconds of one inference per merge factor (``precision``: f32, bf16... or INT8)."""
    rng = np.random.default_rng(0)
    int8 = precision == INT8
    config = {"PERFORMANCE_HINT": "LATENCY"}
    if not int8:
        config["INFERENCE_PRECISION_HINT"] = precision
    requests = {}
    for merge in merges:
        candidate = _candidate_model(layer, merge, rng, int8)
        request = core.compile_model(candidate, "CPU", config).create_infer_request()
        request.set_input_tensor(ov.Tensor(rng.standard_normal(layer.input_shape).astype(np.float32)))
        for _ in range(WARMUP_RUNS):
            request.infer()
        requests[merge] = request
    best = dict.fromkeys(merges, float("inf"))
    order = list(merges)
    started = time.perf_counter()
    rounds = 0
    while rounds < MIN_ROUNDS or (rounds < MAX_ROUNDS and time.perf_counter() - started < BUDGET_S):
        for merge in order:
            t0 = time.perf_counter()
            requests[merge].infer()
            best[merge] = min(best[merge], time.perf_counter() - t0)
        order = order[1:] + order[:1]  # nobody always goes first
        rounds += 1
        if rounds >= MIN_ROUNDS and len(merges) > 1:
            fastest = min(best.values())
            order = [m for m in order if best[m] <= CLEARLY_SLOWER * fastest]
            if len(order) == 1:
                break  # the rest are clearly slower: nothing left to compare
    # rounded here, not when cached: the first conversion decides on the same figures as later ones
    return {merge: round(seconds * 1000, 5) for merge, seconds in best.items()}
