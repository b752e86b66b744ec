"""Candidate exact rewrites of an octave IR, each measured against the IR as it is (paired latency), not kept in ovzoo.

Each trial rewrites a copy of the IR in memory; the script checks that the output is unchanged
(f32, max |d| relative to the output's scale) and measures paired batch-1 latency, trial / as-is,
at f32 and the CPU's default precision (the two IRs back to back, alternating first; median of
per-round ratios, bootstrap 95 % interval). ovzoo.optimize keeps a rewrite only where this measures
faster; the README's graph-rewrites section has the figures.

Trials:
- ``upsample_add``: nearest x2 Interpolate feeding an Add -> the Add broadcasts the low-resolution
  input over (N, C, H, 2, W, 2) views (Reshapes), no Interpolate.
- ``pool_into_conv``: AvgPool 2x2/2 -> 1x1 Convolution becomes one 2x2 stride-2 convolution with
  the weights / 4 (the pooling folded into the convolution; 4x the multiply-adds, one pass less).
- ``conv_after_pool``: the reverse order, 1x1 Convolution then AvgPool (exact: both are linear and
  per-pixel / per-channel), to check the octave code's pool-first order.
- ``low_concat``: Add(Conv1x1(a), Conv1x1(b)) of the same output shape -> Conv1x1(Concat(a, b)) with
  the weights side by side (octave's h2l + l2l: one wider convolution, no Add).

    .venv/bin/python benchmarks/rewrite_trials.py IR.xml [--rounds 150] [--trials upsample_add,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from ir_speed import ratio_interval  # noqa: E402  (benchmarks/ir_speed.py)


def consumers(output) -> list:
    return [t.get_node() for t in output.get_target_inputs()]


def constant(node) -> np.ndarray | None:
    if node.get_type_name() == "Constant":
        return node.get_data()
    if node.get_type_name() == "Convert" and node.input_value(0).get_node().get_type_name() == "Constant":
        return node.input_value(0).get_node().get_data().astype(np.float32)
    return None


def replace(old_output, new_output) -> None:
    for target in old_output.get_target_inputs():
        target.replace_source_output(new_output)


def upsample_add(model) -> int:
    from openvino import opset8

    done = 0
    for op in model.get_ordered_ops():
        if op.get_type_name() != "Interpolate" or op.get_attributes().get("mode") != "nearest":
            continue
        after = consumers(op.output(0))
        if len(after) != 1 or after[0].get_type_name() != "Add":
            continue
        add = after[0]
        n, c, h, w = op.get_input_shape(0)
        if tuple(op.get_output_shape(0)) != (n, c, 2 * h, 2 * w):
            continue
        other = next(v for v in add.input_values() if v.get_node() is not op)
        big = opset8.reshape(other, opset8.constant(np.array([n, c, h, 2, w, 2], np.int64)), False)
        small = opset8.reshape(
            op.input_value(0), opset8.constant(np.array([n, c, h, 1, w, 1], np.int64)), False
        )
        total = opset8.add(big, small)
        back = opset8.reshape(total, opset8.constant(np.array([n, c, 2 * h, 2 * w], np.int64)), False)
        replace(add.output(0), back.output(0))
        done += 1
    return done


def is_1x1(conv) -> bool:
    return (
        conv.get_type_name() == "Convolution"
        and tuple(conv.get_input_shape(1)[2:]) == (1, 1)
        and list(conv.get_attributes()["strides"]) == [1, 1]
        and constant(conv.input_value(1).get_node()) is not None
    )


def pooled_1x1_convs(model):
    for op in model.get_ordered_ops():
        if op.get_type_name() != "AvgPool" or list(op.get_attributes()["kernel"]) != [2, 2]:
            continue
        after = consumers(op.output(0))
        if len(after) == 1 and is_1x1(after[0]):
            yield op, after[0]


def pool_into_conv(model) -> int:
    from openvino import opset8

    done = 0
    for pool, conv in list(pooled_1x1_convs(model)):
        w = constant(conv.input_value(1).get_node())
        fused = np.repeat(np.repeat(w, 2, axis=2), 2, axis=3) / 4
        new = opset8.convolution(
            pool.input_value(0), opset8.constant(fused.astype(np.float32)), [2, 2], [0, 0], [0, 0], [1, 1]
        )
        replace(conv.output(0), new.output(0))
        done += 1
    return done


def conv_after_pool(model) -> int:
    from openvino import opset8

    done = 0
    for pool, conv in list(pooled_1x1_convs(model)):
        new_conv = opset8.convolution(
            pool.input_value(0), conv.input_value(1), [1, 1], [0, 0], [0, 0], [1, 1]
        )
        new_pool = opset8.avg_pool(new_conv, [2, 2], [0, 0], [0, 0], [2, 2], False, "floor")
        replace(conv.output(0), new_pool.output(0))
        done += 1
    return done


def low_concat(model) -> int:
    from openvino import opset8

    done = 0
    for op in model.get_ordered_ops():
        if op.get_type_name() != "Add":
            continue
        convs = [v.get_node() for v in op.input_values()]
        if len(convs) != 2 or not all(is_1x1(c) and len(consumers(c.output(0))) == 1 for c in convs):
            continue
        if convs[0].get_output_shape(0) != convs[1].get_output_shape(0):
            continue
        weights = [constant(c.input_value(1).get_node()) for c in convs]
        joined = opset8.concat([c.input_value(0) for c in convs], 1)
        w = np.concatenate(weights, axis=1).astype(np.float32)
        new = opset8.convolution(joined, opset8.constant(w), [1, 1], [0, 0], [0, 0], [1, 1])
        replace(op.output(0), new.output(0))
        done += 1
    return done


TRIALS: dict[str, Callable] = {
    "upsample_add": upsample_add,
    "pool_into_conv": pool_into_conv,
    "conv_after_pool": conv_after_pool,
    "low_concat": low_concat,
}


def logits(model, x: np.ndarray) -> np.ndarray:
    """The model's output before its final Softmax (what a changed summation order shows in), at f32."""
    import openvino as ov

    softmax = [op for op in model.get_ordered_ops() if op.get_type_name().startswith("Softmax")]
    outputs = [softmax[-1].input_value(0)] if softmax else [model.output(0)]
    head = ov.Model(outputs, list(model.get_parameters()), "logits")
    compiled = ov.Core().compile_model(head, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    return compiled.create_infer_request().infer({0: x})[compiled.outputs[0]].copy()


def paired(compiled: dict, x: np.ndarray, rounds: int) -> dict[str, np.ndarray]:
    requests = {k: c.create_infer_request() for k, c in compiled.items()}
    for request in requests.values():
        for _ in range(3):
            request.infer({0: x})
    walls: dict[str, list[float]] = {k: [] for k in requests}
    keys = list(requests)
    for i in range(rounds):
        for key in keys if i % 2 == 0 else keys[::-1]:
            started = time.perf_counter()
            requests[key].infer({0: x})
            walls[key].append((time.perf_counter() - started) * 1000)
    return {k: np.array(v) for k, v in walls.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xml", type=Path)
    parser.add_argument("--rounds", type=int, default=150)
    parser.add_argument("--trials", default=",".join(TRIALS))
    args = parser.parse_args(argv)

    import openvino as ov

    core = ov.Core()
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    base = core.read_model(args.xml)
    x = np.random.default_rng(0).uniform(0, 255, tuple(base.inputs[0].get_shape())).astype(np.float32)
    reference = logits(base, x)
    print(f"{args.xml.name}; default precision {default}; load average {os.getloadavg()[0]:.2f}")
    for name in args.trials.split(","):
        trial = core.read_model(args.xml)
        count = TRIALS[name](trial)
        trial.validate_nodes_and_infer_types()
        error = float(np.abs(logits(trial, x) - reference).max() / np.abs(reference).max())
        cells = []
        for precision in dict.fromkeys(("f32", default)):
            config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision}
            compiled = {
                k: core.compile_model(m, "CPU", config) for k, m in (("as_is", base), ("trial", trial))
            }
            walls = paired(compiled, x, args.rounds)
            ratio, low, high = ratio_interval(walls["trial"] / walls["as_is"])
            cells.append(
                f"{precision} {ratio:.3f} ({low:.3f}-{high:.3f}; {np.median(walls['as_is']):.2f} ms as is)"
            )
        print(
            f"  {name:16s} {count:3d} sites, max |d| {error:.1e} of the logits' scale; trial / as is: "
            + "; ".join(cells)
            + f"; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
