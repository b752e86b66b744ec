"""IRs that are wrong in exactly one way, made from a good converted IR, for the validator's tests.

Each function edits a copy of the good ``ov.Model`` (read from disk) and saves it as the FP32 IR of
``ir_dir``; the rt_info the converter wrote is kept, so only the defect itself differs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import openvino as ov
import openvino.opset8 as ops


def rename_output(model: ov.Model) -> None:
    """The legacy converter's naming: the output tensor is ``softmax``, not ``prob``."""
    model.outputs[0].get_tensor().set_names({"softmax"})


def drop_channel_reversal(model: ov.Model) -> None:
    """Undo the built-in BGR->RGB flip by flipping again right after the input (rt_info still says BGR)."""
    data = model.inputs[0].get_node()
    targets = list(data.output(0).get_target_inputs())
    flipped = ops.gather(data, ops.constant(np.array([2, 1, 0], np.int64)), ops.constant(np.int64(1)))
    flipped.set_friendly_name("data/flip_back")
    for target in targets:
        target.replace_source_output(flipped.output(0))


def perturb_one_weight(model: ov.Model) -> None:
    """Add noise to the weights of one convolution (the first grouped one)."""
    conv = next(op for op in model.get_ordered_ops() if op.get_type_name() == "GroupConvolution")
    weights = conv.input_value(1).get_node()
    while weights.get_type_name() != "Constant":  # FP16 IRs: Constant -> Convert
        weights = weights.input_value(0).get_node()
    values = weights.get_data().astype(np.float32)
    noise = np.random.default_rng(7).normal(0, 0.2 * values.std(), values.shape).astype(np.float32)
    replacement = ops.constant(values + noise)
    replacement.set_friendly_name(weights.get_friendly_name())
    for target in list(weights.output(0).get_target_inputs()):
        target.replace_source_output(replacement.output(0))


def change_stem_shape(model: ov.Model) -> None:
    """Pad the stem convolution asymmetrically: its output loses a row and a column, and the max-pool
    after it still lands on the right size, so the graph stays valid and only the stem layers differ."""
    stem = next(op for op in model.get_ordered_ops() if op.get_type_name() == "Convolution")
    attributes = stem.get_attributes()
    replacement = ops.convolution(
        stem.input_value(0),
        stem.input_value(1),
        attributes["strides"],
        attributes["pads_begin"],
        [p - 2 for p in attributes["pads_end"]],
        attributes["dilations"],
    )
    replacement.set_friendly_name(stem.get_friendly_name())
    for target in list(stem.output(0).get_target_inputs()):
        target.replace_source_output(replacement.output(0))


def _scale_output(model: ov.Model, factor: float) -> None:
    result = model.outputs[0].get_node()
    source = result.input_value(0)
    scaled = ops.multiply(source, ops.constant(np.float32(factor)))
    result.input(0).replace_source_output(scaled.output(0))


def unnormalise_probabilities(model: ov.Model) -> None:
    """Probabilities that sum to 1.01."""
    _scale_output(model, 1.01)


def make_output_infinite(model: ov.Model) -> None:
    """An overflow on the way out: every probability becomes inf (or NaN)."""
    _scale_output(model, np.inf)


def widen_one_low_branch(model: ov.Model) -> None:
    """The first low-branch ReLU (``...-l``) gets one channel too many: its named output is a Concat
    with a copy of channel 0, and its readers get the original channels back through a slice, so the
    graph stays valid and only that layer's low branch is wrong."""
    relu = next(
        op
        for op in model.get_ordered_ops()
        if op.get_type_name() == "Relu" and op.get_friendly_name().endswith("-l")
    )
    name = relu.get_friendly_name()
    readers = list(relu.output(0).get_target_inputs())
    channels = relu.output(0).get_partial_shape()[1].get_length()
    first = ops.gather(relu, ops.constant(np.array([0], np.int64)), ops.constant(np.int64(1)))
    widened = ops.concat([relu.output(0), first.output(0)], 1)
    relu.set_friendly_name(f"{name}/inner")
    widened.set_friendly_name(name)
    back = ops.gather(widened, ops.constant(np.arange(channels, dtype=np.int64)), ops.constant(np.int64(1)))
    for reader in readers:
        reader.replace_source_output(back.output(0))


def depend_on_the_batch(model: ov.Model) -> None:
    """Logits pushed away from the batch's mean logits: unchanged for one image, wrong in a batch."""
    softmax = next(op for op in model.get_ordered_ops() if op.get_type_name() == "Softmax")
    logits = softmax.input_value(0)
    batch_mean = ops.reduce_mean(logits, ops.constant(np.array([0], np.int64)), True)
    softmax.input(0).replace_source_output(ops.add(logits, ops.subtract(logits, batch_mean)).output(0))


DEFECTS: dict[str, Callable[[ov.Model], None]] = {
    "output-named-softmax": rename_output,
    "channel-reversal-missing": drop_channel_reversal,
    "one-weight-perturbed": perturb_one_weight,
    "stem-shape-changed": change_stem_shape,
    "probabilities-unnormalised": unnormalise_probabilities,
    "output-infinite": make_output_infinite,
    "low-branch-widened": widen_one_low_branch,
    "batch-dependent": depend_on_the_batch,
}


def write_broken_ir(good_xml: Path, broken_xml: Path, defect: Callable[[ov.Model], None]) -> None:
    model = ov.Core().read_model(good_xml)
    defect(model)
    model.validate_nodes_and_infer_types()
    broken_xml.parent.mkdir(parents=True, exist_ok=True)
    ov.save_model(model, broken_xml, compress_to_fp16=False)
