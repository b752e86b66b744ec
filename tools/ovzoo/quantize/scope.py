"""Which layers of an IR stay in floating point when it is quantized to INT8.

OpenVINO's CPU plugin runs an INT8 grouped convolution with oneDNN's JIT kernels only when each group
has a multiple of 4 input and output channels (or one of each: depthwise); anything else falls back
to a gemm-based kernel that is 3-4x slower than the f32 kernel for the same layer. Octave ResNeXt
with alpha 0.25 is full of such groups (32 groups of 3, 6, 1->3, 2->6 channels in its first two
stages), and quantizing them made the whole INT8 IR slower than the FP32 one. Those layers are
left out of quantization: they run in f32 between quantized neighbours, and the IR is both faster
and closer to the FP32 original.
"""

from __future__ import annotations

from dataclasses import dataclass

import openvino as ov

# oneDNN's x8s8s32x kernels multiply-accumulate 4 int8 channels per instruction (vpmaddubsw/vpdpbusd)
INT8_CHANNEL_BLOCK = 4


@dataclass(frozen=True)
class FloatLayer:
    name: str
    reason: str


def narrow_group_convolutions(model: ov.Model) -> list[FloatLayer]:
    """Grouped convolutions with no fast INT8 kernel, in graph order."""
    kept = []
    for op in model.get_ordered_ops():
        if op.get_type_name() != "GroupConvolution":
            continue
        weights = op.input_value(1).get_partial_shape()
        if weights.rank.is_dynamic or not all(d.is_static for d in weights[:3]):
            continue
        groups, out_per_group, in_per_group = (d.get_length() for d in weights[:3])
        if out_per_group == in_per_group == 1:
            continue  # depthwise has its own INT8 kernel
        if out_per_group % INT8_CHANNEL_BLOCK or in_per_group % INT8_CHANNEL_BLOCK:
            reason = f"{groups} groups of {in_per_group}->{out_per_group} channels"
            kept.append(FloatLayer(op.get_friendly_name(), reason))
    return kept
