"""Octave layers on (high, low) feature-map pairs, with upstream's names and creation order.

A tensor is ``(high,)`` for a single-frequency map (a plain symbol upstream) or ``(high, low)`` where
either side may be missing (``None``). Per-frequency ops name their outputs ``<name>-h`` / ``<name>-l``;
combining ops (sum, concat, multiply) over plain symbols take no name upstream, so MXNet auto-names them.
"""

from __future__ import annotations

from collections.abc import Callable

from ovzoo.zoo.mxsymbol import Node, SymbolGraph, pair

Tensor = tuple[Node | None, ...]  # (high,) or (high, low); a missing branch is None
Combine = Callable[[list[Node], str | None], Node]  # a SymbolGraph method: add_n, concat, broadcast_mul
SUFFIXES = ("-h", "-l")
AVG_POOL_2 = {"kernel": pair(2), "pad": pair(0), "pool_type": "avg", "stride": pair(2)}


def split(channels: int, alpha: float) -> tuple[int, int]:
    """(high, low) channel counts: low = int(alpha * channels)."""
    low = int(alpha * channels)
    return channels - low, low


def per_frequency(op: Callable[[Node, str], Node], data: Tensor, name: str) -> Tensor:
    """``op`` on each present branch, named ``<name>-h`` / ``<name>-l``."""
    return tuple(None if x is None else op(x, name + sfx) for x, sfx in zip(data, SUFFIXES, strict=False))


def gather(combine: Combine, sources: list[Tensor], name: str) -> Tensor:
    """Combine tensors branch by branch; one contributor passes through, none gives None.

    Over plain symbols (the first source single-frequency) upstream calls the op with no name.
    """
    if len(sources[0]) == 1:
        return (combine([s[0] for s in sources if s[0] is not None], None),)
    out: list[Node | None] = []
    for i in range(len(sources[0])):
        parts = [part for part in (s[i] for s in sources) if part is not None]
        out.append(None if not parts else parts[0] if len(parts) == 1 else combine(parts, name + SUFFIXES[i]))
    return tuple(out)


def squeeze(data: Tensor) -> Tensor:
    """A pair without a low branch becomes a plain (single-frequency) symbol."""
    return data[:1] if len(data) == 2 and data[1] is None else data


def octave_conv(
    g: SymbolGraph,
    data: Tensor,
    num_filter: tuple[int, int],
    kernel: int,
    pad: int,
    stride: int,
    num_group: int,
    name: str,
) -> Tensor:
    """Octave convolution; stride 2 is an average pool before a stride-1 conv (upstream's choice)."""
    high, low = (data + (None,))[:2]
    num_high, num_low = num_filter
    h2h = h2l = l2h = l2l = None
    if high is not None:
        high = g.pooling(high, AVG_POOL_2) if stride == 2 else high
        if num_high > 0:
            h2h = g.convolution(high, num_high, kernel, pad, 1, min(num_high, num_group), f"{name}-h2h")
        if num_low > 0:
            h2l = g.convolution(
                g.pooling(high, AVG_POOL_2), num_low, kernel, pad, 1, min(num_low, num_group), f"{name}-h2l"
            )
    if low is not None:
        if num_low > 0:
            source = g.pooling(low, AVG_POOL_2) if stride == 2 else low
            l2l = g.convolution(source, num_low, kernel, pad, 1, min(num_low, num_group), f"{name}-l2l")
        if num_high > 0:
            l2h = g.convolution(low, num_high, kernel, pad, 1, min(num_high, num_group), f"{name}-l2h")
            l2h = g.upsample2(l2h) if stride == 1 else l2h
    return squeeze(gather(g.add_n, [(h2h, h2l), (l2h, l2l)], name))


def octave_fc(g: SymbolGraph, data: Tensor, num_hidden: tuple[int, int], name: str) -> Tensor:
    """Upstream's octave FullyConnected (SE blocks): the high side's FCs have a bias, the low side's not."""
    high, low = (data + (None,))[:2]
    num_high, num_low = num_hidden
    h2h = h2l = l2h = l2l = None
    if high is not None:
        h2h = g.fully_connected(high, num_high, f"{name}-h2h", no_bias=False) if num_high > 0 else None
        h2l = g.fully_connected(high, num_low, f"{name}-h2l", no_bias=False) if num_low > 0 else None
    if low is not None:
        l2h = g.fully_connected(low, num_high, f"{name}-l2h", no_bias=True) if num_high > 0 else None
        l2l = g.fully_connected(low, num_low, f"{name}-l2l", no_bias=True) if num_low > 0 else None
    return squeeze(gather(g.add_n, [(h2h, h2l), (l2h, l2l)], name))


def bn_relu(g: SymbolGraph, data: Tensor, name: str) -> Tensor:
    """BatchNorm ``<name>_bn-h|-l`` then ReLU ``<name>_relu-h|-l``."""
    normed = per_frequency(g.batch_norm, data, f"{name}_bn")
    return per_frequency(lambda x, n: g.activation(x, "relu", n), normed, f"{name}_relu")


def bn_relu_conv(
    g: SymbolGraph,
    data: Tensor,
    num_filter: tuple[int, int],
    kernel: int,
    pad: int,
    stride: int,
    num_group: int,
    name: str,
) -> Tensor:
    """Pre-activation octave convolution ``<name>_conv``."""
    act = bn_relu(g, data, name)
    return octave_conv(g, act, num_filter, kernel, pad, stride, num_group, f"{name}_conv")
