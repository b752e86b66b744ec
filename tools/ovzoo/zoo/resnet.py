"""Pre-activation ResNet / ResNeXt / SE-ResNet bodies with octave convolutions (upstream's resnetv2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovzoo.zoo.mxsymbol import Node, SymbolGraph, pair
from ovzoo.zoo.octave_layers import Tensor, bn_relu_conv, gather, octave_fc, per_frequency, split

if TYPE_CHECKING:
    from ovzoo.zoo.octave import OctaveSpec

SE_REDUCTION = 16  # squeeze-and-excitation: the bottleneck of the gate is out / 16 wide
_SE_POOL = {"global_pool": "True", "kernel": pair(1), "pool_type": "avg", "stride": pair(1)}


def _se_gate(g: SymbolGraph, data: Tensor, out: tuple[int, int], name: str) -> Tensor:
    """Squeeze-and-excitation: global pool, FC-ReLU-FC-sigmoid over both branches, channel-wise scale.

    The squeeze FC reads both branches into one (high-only) vector; the excite FC splits it again.
    """
    pooled = per_frequency(lambda x, n: g.pooling(x, _SE_POOL, n), data, f"{name}_pool")
    squeezed = octave_fc(g, pooled, (sum(out) // SE_REDUCTION, 0), f"{name}_fc1")
    squeezed = per_frequency(lambda x, n: g.activation(x, "relu", n), squeezed, f"{name}_relu")
    gate = octave_fc(g, squeezed, out, f"{name}_fc2")
    gate = per_frequency(lambda x, n: g.activation(x, "sigmoid", n), gate, f"{name}_sigmoid")
    gate = per_frequency(lambda x, n: g.expand_dims(x, 2, n), gate, f"{name}_expend1")
    gate = per_frequency(lambda x, n: g.expand_dims(x, 3, n), gate, f"{name}_expend2")
    return gather(g.broadcast_mul, [data, gate], f"{name}_mul")


def _bottleneck(
    g: SymbolGraph,
    data: Tensor,
    spec: OctaveSpec,
    mid: int,
    out: int,
    name: str,
    first: bool,
    stride: int,
    alpha: float,
) -> Tensor:
    mids, outs = split(mid, alpha), split(out, alpha)
    body = bn_relu_conv(g, data, mids, 1, 0, 1, 1, f"{name}_conv1")
    body = bn_relu_conv(g, body, mids, 3, 1, stride, spec.num_group, f"{name}_conv2")
    body = bn_relu_conv(g, body, outs, 1, 0, 1, 1, f"{name}_conv3")
    if spec.architecture == "se-resnet":
        body = _se_gate(g, body, outs, f"{name}_se")
    shortcut = bn_relu_conv(g, data, outs, 1, 0, stride, 1, f"{name}_conv4") if first else data
    return gather(g.add_n, [shortcut, body], f"{name}_sum")


def resnet_v2_body(g: SymbolGraph, x: Node, spec: OctaveSpec) -> Tensor:
    """Stages L2..L5 after the stem's ``pool1``; stage 5 runs single-frequency (alpha forced to 0)."""
    data: Tensor = (x,)
    mid, out = spec.mid_channels, spec.out_channels
    for stage, count in zip((2, 3, 4, 5), spec.blocks, strict=True):
        if stage > 2:
            mid, out = 2 * mid, 2 * out
        alpha = spec.alpha if stage < 5 else min(spec.alpha, 0.0)
        for i in range(1, count + 1):
            stride = 2 if (i == 1 and stage > 2) else 1
            data = _bottleneck(g, data, spec, mid, out, f"L{stage}_B{i:02d}", i == 1, stride, alpha)
    return data
