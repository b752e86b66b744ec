"""The octave structure of an IR: each high/low pair of layers has the shapes its place in the symbol requires.

An octave model names the two frequency branches of a layer ``<base>-h`` and ``<base>-l``. What the
low branch must look like depends on the op that makes the pair, read from the MXNet symbol, not on
one formula for every layer:

- an octave output (a Convolution or FullyConnected, or the sum of the octave paths of one):
  ``low C = int(alpha x (high C + low C))``, the split that alpha defines;
- a per-frequency Concat (DenseNet): each branch has the sum of its inputs' channels on that branch;
- any other op (BatchNorm, activation, pooling, a residual sum, the SE scale, expand_dims): each
  branch has the channels of the input it transforms.

A pair of feature maps has a low branch of exactly half the high branch's height and width; a pair
of vectors (after global pooling or a FullyConnected) has equal extents past the channels. The rules
are checked on the IR's own shapes (an input's channels are the IR layer of that name), and each
branch is also compared with the shape inferred on the symbol, so an IR whose low branch is wrong
fails here even where the rules alone would let it through.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ovzoo.mxnet.symbol import Graph, Node
from ovzoo.validate.checks import Check
from ovzoo.validate.layer_shapes import DYNAMIC, format_shape

PairKind = Literal["octave output", "concat", "follows"]
_STAGE = re.compile(r"^(L\d+)_")
_FREQUENCY = re.compile(r"^(?P<base>.+)-(?P<band>[hl])$")
_LAYERS = {"Convolution", "FullyConnected"}
_SUMS = {"add_n", "ElementWiseSum", "elemwise_add", "broadcast_add"}
# ops an octave path passes through between its convolution and the sum (l2h upsampling, h2l pooling)
_PATH_OPS = {"UpSampling", "Pooling"}
_BANDS = {"h": "high", "l": "low"}


@dataclass(frozen=True)
class _Branch:
    name: str  # the MXNet node (= IR layer) name
    node: Node
    shape: tuple[int, ...]  # in the IR


def pair_kind(graph: Graph, node: Node) -> PairKind:
    """Which rule the pair made by ``node`` follows (see the module docstring)."""
    if node.op in _LAYERS:
        return "octave output"
    if node.op == "Concat":
        return "concat"
    if node.op in _SUMS and all(_is_layer_path(graph, graph.nodes[ref.node]) for ref in node.inputs):
        return "octave output"
    return "follows"


def _is_layer_path(graph: Graph, node: Node) -> bool:
    while node.op in _PATH_OPS and node.inputs:
        node = graph.nodes[node.inputs[0].node]
    return node.op in _LAYERS


@dataclass(frozen=True)
class OctaveFindings:
    """What :func:`find_octave_problems` saw: the pairs per stage, how many followed each rule, what was wrong."""

    pairs: dict[str, int]  # stage ("L2", ..., "other") -> pairs checked
    kinds: dict[str, int]  # rule -> pairs it was applied to
    problems: list[str]


def find_octave_problems(
    ir_shapes: Mapping[str, list[tuple[int, ...]]],
    graph: Graph,
    alpha: float | None,
    symbol_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> OctaveFindings:
    """Every ``-h``/``-l`` pair of the IR against the rule its producing op in ``graph`` sets.

    ``alpha`` is the model's octave ratio (None: the split of octave outputs is not checked);
    ``symbol_shapes`` the shapes inferred on the symbol, when known.
    """
    pairs: dict[str, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    for name in sorted(ir_shapes):
        match = _FREQUENCY.match(name)
        low_name = f"{match['base']}-l" if match else ""
        if not match or match["band"] != "h" or low_name not in ir_shapes:
            continue
        if name not in graph or low_name not in graph:
            continue  # pairs the converter added (no MXNet node) are not the symbol's structure
        base = match["base"]
        stage = _STAGE.match(name)
        pairs[stage.group(1) if stage else "other"] += 1
        high = _Branch(name, graph.node(name), ir_shapes[name][0])
        low = _Branch(low_name, graph.node(low_name), ir_shapes[low_name][0])
        kind = pair_kind(graph, low.node)
        kinds[kind] += 1
        problems += _pair_problems(base, high, low, kind, alpha, graph, ir_shapes, symbol_shapes or {})
    return OctaveFindings(dict(pairs), dict(kinds), problems)


def check_octave_structure(
    ir_shapes: Mapping[str, list[tuple[int, ...]]],
    graph: Graph,
    alpha: float | None,
    precision: str,
    symbol_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> Check | None:
    """The ``shapes.octave`` check (see :func:`find_octave_problems`); None when the IR has no pairs."""
    found = find_octave_problems(ir_shapes, graph, alpha, symbol_shapes)
    if not found.pairs:
        return None
    measured = ", ".join(f"{stage}: {count} pairs" for stage, count in sorted(found.pairs.items()))
    rules = ", ".join(f"{count} {kind}" for kind, count in sorted(found.kinds.items()))
    split = f"; octave outputs low C = int({alpha:g} x C)" if alpha is not None else ""
    limit = f"low = high/2 in H and W{split}; concat and other ops by their inputs [{rules}]"
    problems = found.problems
    detail = (
        ""
        if not problems
        else problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
    )
    return Check("shapes.octave", not problems, measured, limit, detail, precision)


def _pair_problems(
    base: str,
    high: _Branch,
    low: _Branch,
    kind: PairKind,
    alpha: float | None,
    graph: Graph,
    ir_shapes: Mapping[str, list[tuple[int, ...]]],
    symbol_shapes: Mapping[str, tuple[int, ...]],
) -> list[str]:
    if len(high.shape) < 2 or len(low.shape) != len(high.shape) or DYNAMIC in high.shape + low.shape:
        return [
            f"{base}: high {format_shape(high.shape)} / low {format_shape(low.shape)} are not static feature maps"
        ]
    problems = [_spatial_problem(base, high.shape, low.shape)]
    if kind == "octave output":
        if alpha is not None:
            channels = high.shape[1] + low.shape[1]
            if low.shape[1] != int(alpha * channels):
                problems.append(
                    f"{base}: low branch has {low.shape[1]} of {channels} channels, "
                    f"alpha {alpha:g} says {int(alpha * channels)}"
                )
    else:
        problems += [
            _channel_problem(base, branch, kind, graph, ir_shapes, symbol_shapes) for branch in (high, low)
        ]
    for branch in (high, low):
        inferred = symbol_shapes.get(branch.name)
        if inferred is not None and tuple(inferred) != branch.shape:
            problems.append(
                f"{base}: {_band(branch)} branch is {format_shape(branch.shape)}, "
                f"the symbol gives {format_shape(tuple(inferred))}"
            )
    return [p for p in problems if p]


def _spatial_problem(base: str, high: tuple[int, ...], low: tuple[int, ...]) -> str:
    if len(high) == 4 and (high[2], high[3]) != (1, 1):  # feature maps: the low branch is half size
        if (low[2] * 2, low[3] * 2) != (high[2], high[3]):
            return (
                f"{base}: low branch is {low[2]}x{low[3]}, high branch {high[2]}x{high[3]} "
                "(low must be exactly half)"
            )
        return ""
    if high[2:] != low[2:]:  # vectors (pooled, FC output, expanded): the same extent on both branches
        return f"{base}: low branch {format_shape(low)} and high branch {format_shape(high)} differ past the channels"
    return ""


def _channel_problem(
    base: str,
    branch: _Branch,
    kind: PairKind,
    graph: Graph,
    ir_shapes: Mapping[str, list[tuple[int, ...]]],
    symbol_shapes: Mapping[str, tuple[int, ...]],
) -> str:
    refs = branch.node.inputs if kind == "concat" else branch.node.inputs[:1]
    parts: list[tuple[str, int]] = []
    for ref in refs:
        source = graph.nodes[ref.node]
        shape = ir_shapes[source.name][0] if source.name in ir_shapes else symbol_shapes.get(source.name)
        if shape is None or len(shape) < 2:
            return ""  # the input can't be sized: nothing to hold this branch to
        parts.append((source.name, shape[1]))
    wanted = sum(channels for _, channels in parts)
    if branch.shape[1] == wanted:
        return ""
    band = _band(branch)
    if kind == "concat":
        terms = " + ".join(f"{name} {channels}" for name, channels in parts)
        return f"{base}: {band} branch has {branch.shape[1]} channels, its inputs' {band} branches sum to {wanted} ({terms})"
    return f"{base}: {band} branch has {branch.shape[1]} channels, its input {parts[0][0]} has {wanted}"


def _band(branch: _Branch) -> str:
    return _BANDS[branch.name[-1]]


def model_alpha(model_name: str) -> float | None:
    """The octave alpha of a family member: from the zoo's spec, else the name's ``-0.25`` suffix."""
    try:
        from ovzoo.zoo.octave import OCTAVE_FAMILY
    except ImportError:  # the zoo module is optional for the validator
        OCTAVE_FAMILY = {}
    if model_name in OCTAVE_FAMILY:
        return float(OCTAVE_FAMILY[model_name].alpha)
    match = re.search(r"-(0\.\d+)$", model_name)
    return float(match.group(1)) if match else None
