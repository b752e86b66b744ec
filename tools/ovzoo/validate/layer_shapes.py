"""Layer shapes of the IR against ovzoo's own shape inference on the MXNet symbol, and the octave invariant."""

from __future__ import annotations

import re
from collections import defaultdict

import openvino as ov

from ovzoo.validate.checks import Check

# IR node types that never carry an MXNet layer's output (weights, the input, the sinks)
_NOT_LAYERS = {"Constant", "Parameter", "Result", "Convert"}
DYNAMIC = -1  # a dimension the IR leaves dynamic
_STAGE = re.compile(r"^(L\d+)_")
_FREQUENCY = re.compile(r"^(?P<base>.+)-(?P<band>[hl])$")


def ir_layer_shapes(ir: ov.Model) -> dict[str, list[tuple[int, ...]]]:
    """Friendly name -> output-0 shapes of the IR layers carrying that name; a dynamic dimension is -1.

    A static model whose layers read back with dynamic dimensions is a defect in itself (shape
    inference could not see through something, e.g. compressed Interpolate scales), so it is kept.
    """
    shapes: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for node in ir.get_ordered_ops():
        if node.get_type_name() in _NOT_LAYERS or node.get_output_size() == 0:
            continue
        shape = node.output(0).get_partial_shape()
        if shape.rank.is_static:
            shapes[node.get_friendly_name()].append(
                tuple(d.get_length() if d.is_static else DYNAMIC for d in shape)
            )
    return shapes


def format_shape(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join("?" if d == DYNAMIC else str(d) for d in shape) + "]"


def check_layer_shapes(
    ir_shapes: dict[str, list[tuple[int, ...]]], expected: dict[str, tuple[int, ...]], precision: str
) -> Check:
    """Every IR layer named after an MXNet layer has the shape inferred on the symbol."""
    compared = [name for name in expected if name in ir_shapes]
    wrong = [(name, shape) for name in compared for shape in ir_shapes[name] if shape != expected[name]]
    measured = f"{len(compared) - len({n for n, _ in wrong})}/{len(compared)} layers match"
    limit = "all named layers"
    if not compared:
        return Check(
            "shapes.layers",
            False,
            "0 layers compared",
            limit,
            "no IR layer carries an MXNet node name",
            precision,
        )
    if wrong:
        name, shape = wrong[0]
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        return Check(
            "shapes.layers",
            False,
            measured,
            limit,
            f"layer {name!r}: IR shape {format_shape(shape)}, MXNet shape {format_shape(expected[name])}{more}",
            precision,
        )
    return Check("shapes.layers", True, measured, limit, "", precision)


def check_octave_invariant(
    ir_shapes: dict[str, list[tuple[int, ...]]], alpha: float | None, precision: str
) -> Check | None:
    """Each ``<name>-l`` layer has half the H and W of ``<name>-h`` and int(alpha * channels) channels.

    Stages come from the node names (``L2_B01_conv1_conv-h`` is in stage L2). None when the IR has no
    high/low pairs (not an octave model).
    """
    pairs: dict[str, list[str]] = defaultdict(list)
    problems: list[str] = []
    for name in sorted(ir_shapes):
        match = _FREQUENCY.match(name)
        if not match or match["band"] != "h" or f"{match['base']}-l" not in ir_shapes:
            continue
        stage = _STAGE.match(name)
        pairs[stage.group(1) if stage else "other"].append(match["base"])
        high, low = ir_shapes[name][0], ir_shapes[f"{match['base']}-l"][0]
        problems.extend(_pair_problems(match["base"], high, low, alpha))
    if not pairs:
        return None
    measured = ", ".join(f"{stage}: {len(names)} pairs" for stage, names in sorted(pairs.items()))
    limit = "low = high/2 in H and W" + (f", low C = int({alpha:g} x C)" if alpha is not None else "")
    detail = (
        ""
        if not problems
        else problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
    )
    return Check("shapes.octave", not problems, measured, limit, detail, precision)


def _pair_problems(base: str, high: tuple[int, ...], low: tuple[int, ...], alpha: float | None) -> list[str]:
    if len(high) != 4 or len(low) != 4 or DYNAMIC in high + low:
        return [
            f"{base}: high {format_shape(high)} / low {format_shape(low)} are not static NCHW feature maps"
        ]
    problems = []
    if (low[2] * 2, low[3] * 2) != (high[2], high[3]):
        problems.append(
            f"{base}: low branch is {low[2]}x{low[3]}, high branch {high[2]}x{high[3]} "
            "(low must be exactly half)"
        )
    if alpha is not None:
        channels = high[1] + low[1]
        if low[1] != int(alpha * channels):
            problems.append(
                f"{base}: low branch has {low[1]} of {channels} channels, "
                f"alpha {alpha:g} says {int(alpha * channels)}"
            )
    return problems


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
