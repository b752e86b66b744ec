"""DenseNet bodies with octave convolutions (upstream's densenet): per-frequency concatenation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ovzoo.zoo.mxsymbol import Node, SymbolGraph, pair
from ovzoo.zoo.octave_layers import Tensor, bn_relu_conv, gather, per_frequency, split

if TYPE_CHECKING:
    from ovzoo.zoo.octave import OctaveSpec

BOTTLENECK_FACTOR = 4  # the dense layer's 1x1 conv is 4 x growth wide
_TRANSITION_POOL = {"kernel": pair(2), "pool_type": "avg", "stride": pair(2)}


def _dense_layer(g: SymbolGraph, data: Tensor, mid: int, growth: int, name: str, alpha: float) -> Tensor:
    """BN-ReLU-conv1x1, BN-ReLU-conv3x3 adding ``growth`` channels, concatenated to the input per branch."""
    body = bn_relu_conv(g, data, split(mid, alpha), 1, 0, 1, 1, f"{name}_conv1")
    body = bn_relu_conv(g, body, split(growth, alpha), 3, 1, 1, 1, f"{name}_conv2")
    return gather(g.concat, [data, body], f"{name}_concat")


def _transition(g: SymbolGraph, data: Tensor, width: int, name: str, alpha: float) -> Tensor:
    """BN-ReLU-conv1x1 to ``width`` channels, then a 2x2 average pool on each branch."""
    out = bn_relu_conv(g, data, split(width, alpha), 1, 0, 1, 1, f"{name}_conv")
    return per_frequency(lambda x, n: g.pooling(x, _TRANSITION_POOL, n), out, f"{name}_pool")


def densenet_body(g: SymbolGraph, x: Node, spec: OctaveSpec) -> Tensor:
    """Dense stages L2..L5 after ``pool1``, halving the width in each transition ``L<k>_Trans``.

    The stem's output enters as a pair without a low branch; the first layer's convolutions create it.
    Stage 5 (and its transition) run single-frequency, where the concatenations are unnamed upstream.
    """
    data: Tensor = (x, None)
    width, growth = spec.stem_channels, spec.growth_rate
    for stage, count in zip((2, 3, 4, 5), spec.blocks, strict=True):
        alpha = spec.alpha if stage < 5 else min(spec.alpha, 0.0)
        if stage > 2:
            width //= 2
            data = _transition(g, data, width, f"L{stage}_Trans", alpha)
        for i in range(1, count + 1):
            data = _dense_layer(g, data, BOTTLENECK_FACTOR * growth, growth, f"L{stage}_B{i:02d}", alpha)
            width += growth
    return data
