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
- ``stem_space_to_depth``: the 7x7/2 stem convolution on 3 channels as SpaceToDepth(2) and a 4x4
  convolution on 12 channels (denser input channels for the kernel; 1.3x the multiply-adds).
- ``upsample_deconv``: nearest x2 Interpolate -> a depthwise transposed convolution (2x2 ones, stride 2).
- ``upsample_before_1x1``: Conv1x1 then nearest x2 -> nearest x2 of the convolution's input (fewer
  channels to copy: octave's l2h reads the narrow low branch), then the convolution (4x its multiply-adds).
- ``se_as_conv``: the SE block's pool-FC-FC-sigmoid-mul chain with its FCs as 1x1 convolutions on
  the pooled 4-D tensor (no Reshape/Unsqueeze), instead of MatMuls on a 2-D one.
- ``low_concat``: Add(Conv1x1(a), Conv1x1(b)) of the same output shape -> Conv1x1(Concat(a, b)) with
  the weights side by side (octave's h2l + l2l: one wider convolution, no Add).
- ``grouped_as_depthwise``: a GroupConvolution with at most 4 input channels per group as the sum of
  that many depthwise convolutions, term ``i`` reading each group's input channel ``(o + i) mod I/g``
  for output ``o`` (a channel Gather; the same products, summed in another order). The CPU plugin's
  depthwise kernels are fast where its narrow-group ones are slow; ``--layer-times`` also times each
  rewritten layer alone against the GroupConvolution.

    .venv/bin/python benchmarks/rewrite_trials.py IR.xml [--rounds 150] [--trials upsample_add,...] [--layer-times]
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


def nearest_x2(op) -> bool:
    if op.get_type_name() != "Interpolate" or op.get_attributes().get("mode") != "nearest":
        return False
    n, c, h, w = op.get_input_shape(0)
    return tuple(op.get_output_shape(0)) == (n, c, 2 * h, 2 * w)


def upsample_x2(x):
    from openvino import opset8, opset11

    scales = opset8.constant(np.array([2.0, 2.0], np.float32))
    axes = opset8.constant(np.array([2, 3], np.int64))
    return opset11.interpolate(
        x,
        scales,
        mode="nearest",
        shape_calculation_mode="scales",
        coordinate_transformation_mode="asymmetric",
        nearest_mode="floor",
        axes=axes,
    )


def upsample_deconv(model) -> int:
    """Nearest x2 upsampling as a depthwise transposed convolution (2x2 kernel of ones, stride 2)."""
    from openvino import opset8

    done = 0
    for op in list(model.get_ordered_ops()):
        if not nearest_x2(op):
            continue
        channels = op.get_input_shape(0)[1]
        ones = opset8.constant(np.ones((channels, 1, 1, 2, 2), np.float32))
        new = opset8.group_convolution_backprop_data(
            op.input_value(0), ones, [2, 2], pads_begin=[0, 0], pads_end=[0, 0], dilations=[1, 1]
        )
        replace(op.output(0), new.output(0))
        done += 1
    return done


def upsample_before_1x1(model) -> int:
    """1x1 convolution then nearest x2 -> nearest x2 of the convolution's (narrower) input, then the convolution."""
    from openvino import opset8

    done = 0
    for op in list(model.get_ordered_ops()):
        if not nearest_x2(op):
            continue
        conv = op.input_value(0).get_node()
        if not is_1x1(conv) or len(consumers(conv.output(0))) != 1:
            continue
        if conv.get_input_shape(0)[1] >= conv.get_output_shape(0)[1]:
            continue  # only where the input has fewer channels to copy
        up = upsample_x2(conv.input_value(0))
        new = opset8.convolution(up, conv.input_value(1), [1, 1], [0, 0], [0, 0], [1, 1])
        replace(op.output(0), new.output(0))
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


def stem_space_to_depth(model) -> int:
    """A 7x7 stride-2 convolution on 3 channels -> SpaceToDepth(2) of the padded input and a 4x4 stride-1
    convolution on 12 channels (the kernel zero-extended to 8x8; exact)."""
    from openvino import opset8

    for conv in model.get_ordered_ops():
        if conv.get_type_name() != "Convolution":
            continue
        attrs = conv.get_attributes()
        w = constant(conv.input_value(1).get_node())
        if w is None or w.shape[1:] != (3, 7, 7) or list(attrs["strides"]) != [2, 2]:
            continue
        if list(attrs["pads_begin"]) != [3, 3] or list(attrs["pads_end"]) != [3, 3]:
            continue
        out, channels = w.shape[:2]
        w8 = np.zeros((out, channels, 8, 8), np.float32)
        w8[:, :, 1:, 1:] = w
        # depth_first: channel c * 4 + dy * 2 + dx holds input pixel (2i + dy, 2j + dx)
        w4 = (
            w8.reshape(out, channels, 4, 2, 4, 2).transpose(0, 1, 3, 5, 2, 4).reshape(out, channels * 4, 4, 4)
        )
        h, width = conv.get_input_shape(0)[2:]
        pads_end = [0, 0, 2 + h % 2, 2 + width % 2]
        padded = opset8.pad(
            conv.input_value(0),
            opset8.constant(np.array([0, 0, 4, 4], np.int64)),
            opset8.constant(np.array(pads_end, np.int64)),
            "constant",
        )
        blocks = opset8.space_to_depth(padded, "depth_first", 2)
        new = opset8.convolution(blocks, opset8.constant(w4), [1, 1], [0, 0], [0, 0], [1, 1])
        replace(conv.output(0), new.output(0))
        return 1
    return 0


def se_as_conv(model) -> int:
    """The SE blocks' 2-D part (Reshape, MatMuls, bias Adds, ReLU, Sigmoid, Unsqueezes) kept in 4-D: 1x1
    convolutions on the pooled (N, C, 1, 1) tensors, no Reshape/Unsqueeze. Octave's SE is a small DAG
    (the first FC reads the high and the low pooled features: a sum of two MatMuls)."""
    from openvino import opset8

    lifted: dict[int, object] = {}

    def lift(output):
        node = output.get_node()
        key = id(node)
        if key in lifted:
            return lifted[key]
        kind, inputs = node.get_type_name(), node.input_values()
        if kind == "Reshape":
            source = inputs[0].get_node()
            shape = list(source.get_output_shape(0))
            if source.get_type_name() != "ReduceMean" or len(shape) != 4 or shape[2:] != [1, 1]:
                raise LookupError(kind)
            result = inputs[0]
        elif kind == "MatMul" and constant(inputs[1].get_node()) is not None:
            w = constant(inputs[1].get_node())
            w = w if node.get_attributes()["transpose_b"] else w.T  # (out, in)
            weights = opset8.constant(w[:, :, None, None].astype(np.float32))
            result = opset8.convolution(lift(inputs[0]), weights, [1, 1], [0, 0], [0, 0], [1, 1]).output(0)
        elif kind == "Add":
            values = [constant(v.get_node()) for v in inputs]
            if values[1] is not None:
                vector = opset8.constant(values[1].reshape(1, -1, 1, 1).astype(np.float32))
                result = opset8.add(lift(inputs[0]), vector).output(0)
            else:
                result = opset8.add(lift(inputs[0]), lift(inputs[1])).output(0)
        elif kind in ("Relu", "Sigmoid"):
            result = (opset8.relu if kind == "Relu" else opset8.sigmoid)(lift(inputs[0])).output(0)
        else:
            raise LookupError(kind)
        lifted[key] = result
        return result

    done = 0
    for op in list(model.get_ordered_ops()):
        if op.get_type_name() != "Unsqueeze" or len(op.get_output_shape(0)) != 4:
            continue
        inner = op.input_value(0).get_node()
        if inner.get_type_name() != "Unsqueeze" or len(inner.get_input_shape(0)) != 2:
            continue
        try:
            replace(op.output(0), lift(inner.input_value(0)))
        except LookupError:
            continue
        done += 1
    return done


def narrow_grouped_convs(model):
    """GroupConvolutions with constant weights, at most 4 input channels per group and not depthwise."""
    for op in model.get_ordered_ops():
        if op.get_type_name() != "GroupConvolution":
            continue
        w = constant(op.input_value(1).get_node())
        if w is not None and w.shape[2] <= 4 and w.shape[1:3] != (1, 1):
            yield op, w.astype(np.float32)


def depthwise_sum(x, w: np.ndarray, attrs: dict):
    """Sum over i of DepthwiseConv(w_i, Gather_i(x)): the GroupConvolution of ``w`` (g, O/g, I/g, k...)."""
    from openvino import opset8

    groups, outs, ins = w.shape[:3]
    args = (attrs["strides"], attrs["pads_begin"], attrs["pads_end"], attrs["dilations"])
    total = None
    for i in range(ins):
        reads = [(g, o, (o + i) % ins) for g in range(groups) for o in range(outs)]
        channels = np.array([g * ins + c for g, _, c in reads], np.int64)
        kernel = np.stack([w[g, o, c] for g, o, c in reads]).reshape(groups * outs, 1, 1, *w.shape[3:])
        taken = opset8.gather(x, opset8.constant(channels), opset8.constant(np.int64(1)))
        term = opset8.group_convolution(taken, opset8.constant(kernel), *args)
        total = term if total is None else opset8.add(total, term)
    return total


def grouped_as_depthwise(model) -> int:
    done = 0
    for conv, w in list(narrow_grouped_convs(model)):
        new = depthwise_sum(conv.input_value(0), w, conv.get_attributes())
        replace(conv.output(0), new.output(0))
        done += 1
    return done


def depthwise_layer_times(model, core, rounds: int = 60) -> None:
    """Each narrow GroupConvolution alone against its depthwise sum: fastest of ``rounds``, f32, latency hint."""
    import openvino as ov
    from openvino import opset8

    from ovzoo.optimize.group_merge import conv_layer
    from ovzoo.optimize.layer_timing import merged_convolution

    config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"}
    rng = np.random.default_rng(0)
    seen = set()
    for conv, w in narrow_grouped_convs(model):
        shape = (tuple(conv.get_input_shape(0)), w.shape)
        layer = conv_layer(conv, w.shape[0])
        if layer is None or shape in seen:  # (None: auto_pad, which merged_convolution doesn't carry)
            continue
        seen.add(shape)
        inputs = {name: opset8.parameter(list(shape[0]), np.float32) for name in ("grouped", "depthwise")}
        outputs = {
            "grouped": merged_convolution(inputs["grouped"].output(0), opset8.constant(w).output(0), layer),
            "depthwise": depthwise_sum(inputs["depthwise"].output(0), w, conv.get_attributes()),
        }
        compiled = {
            name: core.compile_model(ov.Model([y.output(0)], [inputs[name]]), "CPU", config)
            for name, y in outputs.items()
        }
        walls = paired(compiled, rng.standard_normal(shape[0]).astype(np.float32), rounds)
        print(
            f"    {conv.get_friendly_name():28s} in {'x'.join(map(str, shape[0][1:]))} groups {w.shape[0]} x "
            f"{w.shape[2]}->{w.shape[1]}: depthwise / grouped {walls['depthwise'].min() / walls['grouped'].min():.2f}"
            f" ({walls['grouped'].min():.3f} ms grouped)"
        )


TRIALS: dict[str, Callable] = {
    "upsample_add": upsample_add,
    "pool_into_conv": pool_into_conv,
    "conv_after_pool": conv_after_pool,
    "low_concat": low_concat,
    "stem_space_to_depth": stem_space_to_depth,
    "upsample_deconv": upsample_deconv,
    "upsample_before_1x1": upsample_before_1x1,
    "se_as_conv": se_as_conv,
    "grouped_as_depthwise": grouped_as_depthwise,
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
    parser.add_argument(
        "--layer-times", action="store_true", help="grouped_as_depthwise: time each layer alone too"
    )
    args = parser.parse_args(argv)

    import openvino as ov

    core = ov.Core()
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    base = core.read_model(args.xml)
    x = np.random.default_rng(0).uniform(0, 255, tuple(base.inputs[0].get_shape())).astype(np.float32)
    reference = logits(base, x)
    print(f"{args.xml.name}; default precision {default}; load average {os.getloadavg()[0]:.2f}")
    for name in args.trials.split(","):
        if name == "grouped_as_depthwise" and args.layer_times:
            depthwise_layer_times(base, core)
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
