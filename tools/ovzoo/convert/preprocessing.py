"""Fold the descriptor's input preprocessing into the converted model.

The IR takes what a camera or OpenCV gives: BGR, raw 0..255, NCHW. The original MXNet model takes
``(reverse(x) - mean) / scale`` (Model Optimizer order: reverse the channels, subtract the mean given in
the original RGB order, divide by the scale). ``PrePostProcessor.build()`` folds the channel flip and the
1/scale into the weights of the first convolution and leaves one ``Subtract`` of the (flipped) mean on the
input. That is the smallest exact form: the stem convolution pads with zeros in the *normalised* space, so
a mean folded into its bias would be wrong on the border pixels; a Subtract before it is exact everywhere.

When the input feeds one plain Convolution (every model of the zoo), the same folding is done here with
numpy, value for value what ``build()`` computes, without running PrePostProcessor at all: its
transformations touch about 3.5 MB of OpenVINO's code, which stays resident for the rest of the conversion.
Any other graph goes through PrePostProcessor.
"""

from __future__ import annotations

import logging

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.ir import spill
from ovzoo.naming import claim_name
from ovzoo.vocabulary.spec import ConversionSpec

log = logging.getLogger(__name__)

# what a constant created by PrePostProcessor holds, by the type of the op it feeds
_CONSTANT_ROLES = {
    "Subtract": "mean",
    "Add": "mean",
    "Multiply": "scale",
    "Divide": "scale",
    "Convolution": "weights",
    "GroupConvolution": "weights",
    "Gather": "indices",
}


def fold_preprocessing(model: ov.Model, spec: ConversionSpec) -> ov.Model:
    """Return ``model`` taking BGR raw input, with layout set; the new nodes get deterministic names.

    PrePostProcessor names the nodes it creates from a process-wide counter (``Subtract_14``); they are
    renamed after the input they serve so that two conversions give byte-identical IRs.
    """
    if _fold_into_first_convolution(model, spec):
        log.debug("preprocessing on %r: %s", spec.input_name, describe_input_chain(model, spec.input_name))
        return model
    return fold_with_prepostprocessor(model, spec)


def fold_with_prepostprocessor(model: ov.Model, spec: ConversionSpec) -> ov.Model:
    """:func:`fold_preprocessing` by OpenVINO's PrePostProcessor, whatever reads the input."""
    names_before = {op.get_friendly_name() for op in model.get_ops()}
    ppp = ov.preprocess.PrePostProcessor(model)
    model_input = ppp.input(spec.input_name)
    model_input.tensor().set_element_type(ov.Type.f32).set_layout(ov.Layout(spec.layout))
    model_input.model().set_layout(ov.Layout(spec.layout))
    steps = model_input.preprocess()
    if spec.reverse_input_channels:
        steps.reverse_channels()
    mean, scale = spec.mean_array(), spec.scale_array()
    if mean is not None and mean.any():
        steps.mean([float(v) for v in mean])
    if scale is not None and (scale != 1).any():
        steps.scale([float(v) for v in scale])
    folded = ppp.build()
    _rename_new_nodes(folded, names_before, spec.input_name)
    log.debug("preprocessing on %r: %s", spec.input_name, describe_input_chain(folded, spec.input_name))
    return folded


def _fold_into_first_convolution(model: ov.Model, spec: ConversionSpec) -> bool:
    """Fold as ``PrePostProcessor.build()`` does when the input's only reader is a Convolution with
    constant f32 weights read by nothing else; False (and ``model`` untouched) otherwise.

    ``conv(w, (reverse(x) - mean) / scale) == conv(w', x - reverse(mean))`` with
    ``w' = reverse_in(w * (1 / scale))`` (per input channel, 1/scale rounded to f32 first, as OpenVINO
    folds it); the names are those :func:`_rename_new_nodes` gives PrePostProcessor's nodes.
    """
    parameter = model.input(spec.input_name).get_node()
    readers = list(parameter.output(0).get_target_inputs())
    if spec.layout != "NCHW" or len(readers) != 1 or readers[0].get_index() != 0:
        return False
    conv = readers[0].get_node()
    if conv.get_type_name() != "Convolution":
        return False
    weights_node = conv.input_value(1).get_node()
    if (
        weights_node.get_type_name() != "Constant"
        or weights_node.get_output_element_type(0) != ov.Type.f32
        or len(weights_node.output(0).get_target_inputs()) != 1
        or parameter.get_output_element_type(0) != ov.Type.f32
    ):
        return False
    used = {op.get_friendly_name() for op in model.get_ops()}
    mean, scale = spec.mean_array(), spec.scale_array()
    weights = weights_node.get_data()
    scaled = scale is not None and bool((scale != 1).any())
    if scale is not None and scaled:
        inverse = np.float32(1) / scale.astype(np.float32)
        weights = weights * inverse.reshape(1, -1, *(1,) * (weights.ndim - 2))
    if spec.reverse_input_channels:
        weights = weights[:, ::-1]
        mean = None if mean is None else mean[::-1]
    if scaled or spec.reverse_input_channels:  # new weights, named as PrePostProcessor's would be
        folded = spill.weight_constant(np.ascontiguousarray(weights, dtype=np.float32))
        folded.set_friendly_name(claim_name(f"{conv.get_friendly_name()}/weights", used))
        conv.input(1).replace_source_output(folded.output(0))
    if mean is not None and mean.any():
        shape = [1, spec.channels, *(1,) * (len(spec.input_shape) - 2)]
        subtract = opset8.subtract(
            parameter.output(0), opset8.constant(mean.astype(np.float32).reshape(shape))
        )
        subtract.set_friendly_name(claim_name(f"{spec.input_name}/preprocess/subtract", used))
        constant = subtract.input_value(1).get_node()
        constant.set_friendly_name(claim_name(f"{subtract.get_friendly_name()}/mean", used))
        conv.input(0).replace_source_output(subtract.output(0))
    parameter.set_layout(ov.Layout(spec.layout))
    model.validate_nodes_and_infer_types()
    return True


def _rename_new_nodes(model: ov.Model, names_before: set[str], input_name: str) -> None:
    used = set(names_before)
    new_ops = [op for op in model.get_ordered_ops() if op.get_friendly_name() not in names_before]
    # operations first, so that constants are named after their (already renamed) consumer
    for op in sorted(new_ops, key=lambda op: op.get_type_name() == "Constant"):
        if op.get_type_name() == "Constant":
            consumer = next(iter(op.output(0).get_target_inputs())).get_node()
            role = _CONSTANT_ROLES.get(consumer.get_type_name(), "const")
            base = f"{consumer.get_friendly_name()}/{role}"
        else:
            base = f"{input_name}/preprocess/{op.get_type_name().lower()}"
        op.set_friendly_name(claim_name(base, used))


def describe_input_chain(model: ov.Model, input_name: str) -> str:
    """The ops from the input to the first convolution, e.g. ``Parameter -> Subtract -> Convolution``."""
    chain: list[str] = []
    node = model.input(input_name).get_node()
    while True:
        chain.append(node.get_type_name())
        targets = list(node.output(0).get_target_inputs())
        if node.get_type_name() in ("Convolution", "GroupConvolution") or len(targets) != 1:
            break
        node = targets[0].get_node()
    return " -> ".join(chain)


def preprocessing_summary(spec: ConversionSpec) -> dict[str, str]:
    """What the IR's input expects and what was folded in, as strings for rt_info and the dry-run plan."""

    def values(v: tuple[float, ...] | None) -> str:
        return "none" if v is None else ",".join(f"{x:.12g}" for x in v)

    return {
        "input": f"{spec.input_name} f32 {list(spec.input_shape)} {spec.layout}, "
        f"{'BGR' if spec.reverse_input_channels else 'original channel order'}, raw values",
        "reverse_input_channels": str(spec.reverse_input_channels),
        "mean_values": values(spec.mean),
        "scale_values": values(spec.scale),
        "layout": spec.layout,
        "order": "reverse channels, then subtract mean (original order), then divide by scale",
    }
