"""Layer shapes of the IR against ovzoo's own shape inference on the MXNet symbol (the octave pairs: octave.py)."""

from __future__ import annotations

from collections import defaultdict

import openvino as ov

from ovzoo.validate.checks import Check

# IR node types that never carry an MXNet layer's output (weights, the input, the sinks)
_NOT_LAYERS = {"Constant", "Parameter", "Result", "Convert"}
DYNAMIC = -1  # a dimension the IR leaves dynamic


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
