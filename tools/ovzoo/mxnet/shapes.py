"""Our own shape inference for MXNet symbols (no mxnet), driven by the op records' shape rules.

The validator checks IR layer shapes against it, and the front end sizes weights and resolves
static shapes (Reshape codes, slices) with it. Weight shapes come from what each op expects of its
inputs; when params are given every inferred weight shape is checked against the stored array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ovzoo.errors import FormatError, UnsupportedOpsError
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.params import ParamsFile, stored_shape
from ovzoo.mxnet.record import Shape
from ovzoo.mxnet.symbol import Graph, Node


def infer_shapes(
    graph: Graph, input_shapes: Mapping[str, Sequence[int]], params: Mapping[str, np.ndarray] | None = None
) -> dict[str, tuple[Shape, ...]]:
    """Node name -> shapes of its visible outputs, for every node (variables included).

    Where several nodes share a name (MXNet allows it), the first one's shapes are given.

    Raises:
        UnsupportedOpsError: op types without a record (all listed at once).
        ConversionError: an attribute value no record honours (names the node).
        FormatError: inconsistent shapes, a param whose stored shape disagrees, an input we can't size.
    """
    shapes = infer_node_shapes(graph, input_shapes, params)
    by_name: dict[str, tuple[Shape, ...]] = {}
    for node in graph.nodes:
        by_name.setdefault(node.name, shapes[node.index])
    return by_name


def infer_node_shapes(
    graph: Graph, input_shapes: Mapping[str, Sequence[int]], params: Mapping[str, np.ndarray] | None = None
) -> list[tuple[Shape, ...]]:
    """The shapes of every node's visible outputs, by node index (see :func:`infer_shapes`)."""
    return run_inference(graph, input_shapes, params).shapes


@dataclass(frozen=True)
class Inference:
    """What shape inference learnt, by node index: output shapes and parsed attributes (None for variables)."""

    shapes: list[tuple[Shape, ...]]
    attributes: list[Any]


def run_inference(
    graph: Graph, input_shapes: Mapping[str, Sequence[int]], params: Mapping[str, np.ndarray] | None = None
) -> Inference:
    """Parse every op's attributes and infer every shape (see :func:`infer_shapes` for the errors)."""
    error = unsupported_ops_error(graph, OPS, "translator")
    if error:
        raise error
    params = params or {}
    for name in input_shapes:
        if name not in graph or not graph.node(name).is_variable:
            raise FormatError(f"input {name!r} is not a variable of the symbol", (graph.source,))
    known: list[tuple[Shape, ...] | None] = [None] * len(graph.nodes)
    attributes: list[Any] = [None] * len(graph.nodes)
    for var in graph.variables:
        if var.name in input_shapes:
            known[var.index] = (tuple(int(d) for d in input_shapes[var.name]),)
    for node in graph.op_nodes:
        record = OPS[node.op]
        attrs = attributes[node.index] = record.parse(node)
        in_shapes: list[Shape | None] = []
        for ref in node.inputs:
            shape = _output_shape(known, ref.node, ref.index, graph)
            if shape is None:  # an unsized weight: take the stored array's shape if there is one
                shape = _variable_fallback(graph.nodes[ref.node], params)
                if shape is not None:
                    known[ref.node] = (shape,)
            in_shapes.append(shape)
        if in_shapes and in_shapes[0] is None and (not record.sizes_inputs_alike or not any(in_shapes)):
            first = graph.nodes[node.inputs[0].node]
            raise first.format_error(
                f"can't infer the shape of this variable (read by {node.name!r}): pass it in input_shapes"
            )
        outputs, expected = record.infer(node, attrs, in_shapes)
        for slot, have in enumerate(in_shapes):
            want = expected[slot] if slot < len(expected) else None
            _settle_input(graph, node, slot, have, want, known, params)
        for shape in outputs:
            if any(d <= 0 for d in shape):
                raise FormatError(
                    f"output shape {shape} has an empty dimension (inputs {in_shapes})", node.where
                )
        known[node.index] = tuple(outputs)
    result = []
    for node in graph.nodes:
        shapes = known[node.index]
        if shapes is None:  # a variable nothing reads (and no input shape given): size it if we can
            fallback = _variable_fallback(node, params)
            shapes = (fallback,) if fallback else ()
        result.append(shapes)
    return Inference(result, attributes)


def _settle_input(
    graph: Graph,
    node: Node,
    slot: int,
    have: Shape | None,
    want: Shape | None,
    known: list[tuple[Shape, ...] | None],
    params: Mapping[str, np.ndarray],
) -> None:
    """Size an unsized input from what the op expects, or check a sized one against it."""
    producer = graph.nodes[node.inputs[slot].node]
    if have is None:
        if want is None:
            raise producer.format_error(
                f"can't infer the shape of this variable (read by {node.name!r}): pass it in input_shapes"
            )
        known[producer.index] = (want,)
    elif want is not None and want != have:
        if producer.is_variable and producer.name in params:
            # the stored array is what disagrees: name the file it came from when it is known
            stored_in = (str(params.path),) if isinstance(params, ParamsFile) else ()
            raise FormatError(
                f"param {producer.name!r} has shape {have}, the graph needs {want}", (*stored_in, *node.where)
            )
        raise FormatError(f"input {slot} ({producer.name!r}) has shape {have}, expected {want}", node.where)


def unsupported_ops_error(graph: Graph, table: Mapping[str, object], what: str) -> UnsupportedOpsError | None:
    """One error listing every op type of ``graph`` missing from ``table`` with its first node, or None."""
    missing = unsupported_ops(graph, table)
    if not missing:
        return None
    listed = ", ".join(f"{op} (first node {name!r})" for op, name in missing.items())
    return UnsupportedOpsError(
        f"no {what} for {len(missing)} op type(s): {listed}", (graph.source,) if graph.source else (), missing
    )


def unsupported_ops(graph: Graph, table: Mapping[str, object]) -> dict[str, str]:
    """Op type -> name of its first node, for every op type of ``graph`` missing from ``table``."""
    missing: dict[str, str] = {}
    for node in graph.op_nodes:
        if node.op not in table and node.op not in missing:
            missing[node.op] = node.name
    return dict(sorted(missing.items()))


def _output_shape(
    known: list[tuple[Shape, ...] | None], index: int, output: int, graph: Graph
) -> Shape | None:
    shapes = known[index]
    if shapes is None:
        return None
    if output >= len(shapes):
        node = graph.nodes[index]
        raise FormatError(f"output {output} is read but the node has {len(shapes)} output(s)", node.where)
    return shapes[output]


def _variable_fallback(var: Node, params: Mapping[str, np.ndarray]) -> Shape | None:
    if var.name in params:
        return stored_shape(params, var.name)
    declared = var.attr_tuple("__shape__", ())  # mx.sym.var(shape=...) records it
    return declared if declared and all(d > 0 for d in declared) else None
