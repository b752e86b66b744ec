"""Our own shape inference for MXNet symbols (no mxnet): the validator checks IR layer shapes against it.

Each rule takes a node and the shapes of its inputs (``None`` where unknown: a weight nobody gave a
shape for) and returns the node's output shapes plus the shapes it *expects* for its inputs, which
is how weight shapes are inferred (a Convolution fixes its weight at (O, I/g, kh, kw), a BatchNorm
its four vectors at (C,), ...). When params are given every inferred weight shape is checked
against the stored array.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ovzoo.errors import FormatError, UnsupportedOpsError
from ovzoo.mxnet.symbol import Graph, Node

Shape = tuple[int, ...]
Expected = list[Shape | None]
ShapeRule = Callable[[Node, list[Shape | None]], tuple[list[Shape], Expected]]


def infer_shapes(
    graph: Graph, input_shapes: Mapping[str, Sequence[int]], params: Mapping[str, np.ndarray] | None = None
) -> dict[str, tuple[Shape, ...]]:
    """Node name -> shapes of its visible outputs, for every node (variables included).

    Raises:
        UnsupportedOpsError: ops without a shape rule (all listed at once).
        FormatError: inconsistent shapes, a param whose stored shape disagrees, an input we can't size.
    """
    error = unsupported_ops_error(graph, SHAPE_RULES, "shape rule")
    if error:
        raise error
    params = params or {}
    for name in input_shapes:
        if name not in graph or not graph.node(name).is_variable:
            raise FormatError(f"input {name!r} is not a variable of the symbol", (graph.source,))
    known: list[tuple[Shape, ...] | None] = [None] * len(graph.nodes)
    for var in graph.variables:
        if var.name in input_shapes:
            known[var.index] = (tuple(int(d) for d in input_shapes[var.name]),)
    for node in graph.op_nodes:
        in_shapes: list[Shape | None] = []
        for ref in node.inputs:
            shape = _output_shape(known, ref.node, ref.index, graph)
            if shape is None:  # an unsized weight: take the stored array's shape if there is one
                shape = _variable_fallback(graph.nodes[ref.node], params)
                if shape is not None:
                    known[ref.node] = (shape,)
            in_shapes.append(shape)
        if in_shapes and in_shapes[0] is None and (node.op not in _SAME_SHAPE_OPS or not any(in_shapes)):
            first = graph.nodes[node.inputs[0].node]
            raise first.format_error(
                f"can't infer the shape of this variable (read by {node.name!r}): pass it in input_shapes"
            )
        outputs, expected = SHAPE_RULES[node.op](node, in_shapes)
        for slot, ref in enumerate(node.inputs):
            producer = graph.nodes[ref.node]
            want = expected[slot] if slot < len(expected) else None
            have = in_shapes[slot]
            if have is None:
                if want is None:
                    raise producer.format_error(
                        f"can't infer the shape of this variable (read by {node.name!r}): "
                        "pass it in input_shapes"
                    )
                known[producer.index] = (want,)
            elif want is not None and want != have:
                if producer.is_variable and producer.name in params:
                    raise FormatError(
                        f"param {producer.name!r} has shape {have}, the graph needs {want}", node.where
                    )
                raise FormatError(
                    f"input {slot} ({producer.name!r}) has shape {have}, expected {want}", node.where
                )
        for shape in outputs:
            if any(d <= 0 for d in shape):
                raise FormatError(
                    f"output shape {shape} has an empty dimension (inputs {in_shapes})", node.where
                )
        known[node.index] = tuple(outputs)
    result = {}
    for node in graph.nodes:
        shapes = known[node.index]
        if shapes is None:  # a variable nothing reads (and no input shape given): size it if we can
            fallback = _variable_fallback(node, params)
            shapes = (fallback,) if fallback else ()
        result[node.name] = shapes
    return result


def unsupported_ops_error(graph: Graph, table: Mapping[str, object], what: str) -> UnsupportedOpsError | None:
    """One error listing every op type of ``graph`` missing from ``table`` with its first node, or None."""
    missing = unsupported_ops(graph, table)
    if not missing:
        return None
    listed = ", ".join(f"{op} (first node {name!r})" for op, name in missing.items())
    error = UnsupportedOpsError(
        f"no {what} for {len(missing)} op type(s): {listed}", (graph.source,) if graph.source else ()
    )
    error.ops = missing  # type: ignore[attr-defined]  # op type -> first node, for callers and tests
    return error


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
        return tuple(int(d) for d in np.shape(params[var.name]))
    declared = var.attr_tuple("__shape__", ())  # mx.sym.var(shape=...) records it
    return declared if declared and all(d > 0 for d in declared) else None


# --- rules ---------------------------------------------------------------------------------------


def _data(node: Node, shapes: list[Shape | None], slot: int = 0) -> Shape:
    if slot >= len(shapes):
        raise node.format_error(f"expected at least {slot + 1} inputs, got {len(shapes)}")
    shape = shapes[slot]
    if shape is None:
        raise node.format_error(f"can't infer the shape of input {slot}: pass it in input_shapes")
    return shape


def _spatial(node: Node, name: str, default: int, rank: int) -> Shape:
    values = node.attr_tuple(name, ())
    if not values:
        return (default,) * rank
    if len(values) != rank:
        raise node.format_error(f"attribute {name!r}: expected {rank} values, got {values}")
    return values


def _same(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    return [_data(node, shapes)], []


def _convolution(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    kernel = node.attr_tuple("kernel", ())
    if not kernel or len(data) != len(kernel) + 2:
        raise node.format_error(f"kernel {kernel} doesn't fit input shape {data}")
    rank = len(kernel)
    stride, dilate = _spatial(node, "stride", 1, rank), _spatial(node, "dilate", 1, rank)
    pad = _spatial(node, "pad", 0, rank)
    filters, groups = node.attr_int("num_filter", 0), node.attr_int("num_group", 1)
    channels = data[1]
    if filters <= 0 or groups <= 0 or channels % groups or filters % groups:
        raise node.format_error(
            f"num_filter={filters}, num_group={groups} don't divide {channels} input channels"
        )
    spatial = tuple(
        (x + 2 * p - d * (k - 1) - 1) // s + 1
        for x, k, s, d, p in zip(data[2:], kernel, stride, dilate, pad, strict=True)
    )
    expected: Expected = [None, (filters, channels // groups, *kernel)]
    if not node.attr_bool("no_bias", False):
        expected.append((filters,))
    return [(data[0], filters, *spatial)], expected


def _batch_norm(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    axis = node.attr_int("axis", 1)
    channels = (data[axis if axis >= 0 else axis + len(data)],)
    outputs = [data, channels, channels] if node.attr_bool("output_mean_var", False) else [data]
    return outputs, [None, channels, channels, channels, channels]


def _leaky_relu(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    act_type = node.attr_str("act_type", "leaky")
    if act_type == "rrelu":
        return [data, data], []  # output and the random mask (training only)
    if act_type != "prelu":
        return [data], []
    gamma = shapes[1] if len(shapes) > 1 else None
    return [data], [None, None if gamma == (1,) else (data[1],)]  # one shared slope is legal too


def _pooling(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    rank = len(data) - 2
    if node.attr_bool("global_pool", False):
        return [(*data[:2], *(1,) * rank)], []
    kernel = node.attr_tuple("kernel", ())
    if len(kernel) != rank:
        raise node.format_error(f"kernel {kernel} doesn't fit input shape {data}")
    stride, pad = _spatial(node, "stride", 1, rank), _spatial(node, "pad", 0, rank)
    convention = node.attr_str("pooling_convention", "valid")
    if convention == "valid":
        spatial = tuple(
            (x + 2 * p - k) // s + 1 for x, k, s, p in zip(data[2:], kernel, stride, pad, strict=True)
        )
    elif convention == "full":
        spatial = tuple(
            math.ceil((x + 2 * p - k) / s) + 1
            for x, k, s, p in zip(data[2:], kernel, stride, pad, strict=True)
        )
    elif convention == "same":
        spatial = tuple(math.ceil(x / s) for x, s in zip(data[2:], stride, strict=True))
    else:
        raise node.format_error(f"attribute 'pooling_convention': unknown value {convention!r}")
    return [(*data[:2], *spatial)], []


def _upsampling(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    scale = node.attr_int("scale", 1)
    channels = data[1]
    if (
        node.attr_str("sample_type", "nearest") == "nearest"
        and node.attr_str("multi_input_mode", "concat") == "concat"
    ):
        channels = sum(_data(node, shapes, i)[1] for i in range(len(shapes)))
    return [(data[0], channels, *(x * scale for x in data[2:]))], []


def _elementwise(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    first = next((s for s in shapes if s is not None), None)
    if first is None:
        raise node.format_error("can't infer the shape of any input: pass them in input_shapes")
    for slot, shape in enumerate(shapes):
        if shape is not None and shape != first:
            raise node.format_error(f"input {slot} has shape {shape}, input shapes must all be {first}")
    return [first], [first] * len(shapes)


def _broadcast(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    left, right = _data(node, shapes, 0), _data(node, shapes, 1)
    try:
        return [tuple(np.broadcast_shapes(left, right))], []
    except ValueError:
        raise node.format_error(f"input shapes {left} and {right} don't broadcast") from None


def _concat(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    inputs = [_data(node, shapes, i) for i in range(len(shapes))]
    axis = node.attr_int("dim", 1)
    axis = axis + len(inputs[0]) if axis < 0 else axis
    for slot, shape in enumerate(inputs):
        if (
            len(shape) != len(inputs[0])
            or shape[:axis] + shape[axis + 1 :] != inputs[0][:axis] + inputs[0][axis + 1 :]
        ):
            raise node.format_error(
                f"input {slot} has shape {shape}, which doesn't concatenate on axis {axis} with {inputs[0]}"
            )
    total = sum(shape[axis] for shape in inputs)
    return [(*inputs[0][:axis], total, *inputs[0][axis + 1 :])], []


def _flatten(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    return [(data[0], math.prod(data[1:]))], []


def _fully_connected(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    hidden = node.attr_int("num_hidden", 0)
    if hidden <= 0:
        raise node.format_error(f"attribute 'num_hidden': expected a positive integer, got {hidden}")
    output: tuple[int, ...]
    if node.attr_bool("flatten", True):
        output, features = (data[0], hidden), math.prod(data[1:])
    else:
        output, features = (*data[:-1], hidden), data[-1]
    expected: Expected = [None, (hidden, features)]
    if not node.attr_bool("no_bias", False):
        expected.append((hidden,))
    return [output], expected


def reshape_target(node: Node, data: Shape) -> Shape:
    """MXNet Reshape's output shape for input ``data``, with its special codes 0, -1, -2, -3, -4.

    Raises:
        FormatError: the codes don't fit the input or the element counts differ.
    """
    codes = list(node.attr_tuple("shape", ()))
    reverse = node.attr_bool("reverse", False)
    source = list(reversed(data)) if reverse else list(data)
    if reverse:  # -4 takes its two following values in order, so reverse pairs along with the rest
        codes = _reverse_codes(codes)
    out: list[int] = []
    i = j = 0  # i reads source dims, j reads codes
    infer_at = -1
    try:
        while j < len(codes):
            code = codes[j]
            if code > 0:
                out.append(code)
                i += 1
            elif code == 0:
                out.append(source[i])
                i += 1
            elif code == -1:
                if infer_at >= 0:
                    raise node.format_error(f"attribute 'shape': more than one -1 in {codes}")
                infer_at = len(out)
                out.append(1)
                i += 1
            elif code == -2:
                out.extend(source[i:])
                i = len(source)
            elif code == -3:
                out.append(source[i] * source[i + 1])
                i += 2
            elif code == -4:
                first, second = codes[j + 1], codes[j + 2]
                if first == -1:
                    first = source[i] // second
                if second == -1:
                    second = source[i] // first
                if first * second != source[i]:
                    raise node.format_error(f"attribute 'shape': -4 split {first}x{second} of {source[i]}")
                out += [first, second]
                i += 1
                j += 2
            else:
                raise node.format_error(f"attribute 'shape': unknown code {code}")
            j += 1
    except IndexError:
        raise node.format_error(f"attribute 'shape': {codes} doesn't fit input shape {data}") from None
    total = math.prod(data)
    if infer_at >= 0:
        rest = math.prod(out)
        if rest == 0 or total % rest:
            raise node.format_error(f"attribute 'shape': can't infer -1 in {codes} for input shape {data}")
        out[infer_at] = total // rest
    if math.prod(out) != total:
        raise node.format_error(
            f"attribute 'shape': {codes} gives {tuple(out)}, which doesn't hold input {data}"
        )
    return tuple(reversed(out)) if reverse else tuple(out)


def _reverse_codes(codes: list[int]) -> list[int]:
    groups: list[list[int]] = []
    j = 0
    while j < len(codes):
        size = 3 if codes[j] == -4 else 1
        groups.append(codes[j : j + size])
        j += size
    return [c for group in reversed(groups) for c in group]


def _reshape(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    return [reshape_target(node, _data(node, shapes))], []


def _softmax_output(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    # measured against MXNet 1.9.1: (N, spatial...) flattened with multi_output, else all but the last axis
    label = (data[0], math.prod(data[2:])) if node.attr_bool("multi_output", False) else data[:-1]
    known_label = shapes[1] if len(shapes) > 1 else None
    return [data], [
        None,
        None if known_label == data else label,
    ]  # a label shaped like data (soft labels) is legal


def _expand_dims(node: Node, shapes: list[Shape | None]) -> tuple[list[Shape], Expected]:
    data = _data(node, shapes)
    axis = node.attr_int("axis", 0)
    if not -len(data) - 1 <= axis <= len(data):
        raise node.format_error(f"attribute 'axis': {axis} is out of range for input shape {data}")
    axis %= len(data) + 1
    return [(*data[:axis], 1, *data[axis:])], []


# ops whose inputs all share the output's shape, so any sized input sizes the others
_SAME_SHAPE_OPS = frozenset({"ElementWiseSum", "add_n", "elemwise_add", "elemwise_mul"})

SHAPE_RULES: dict[str, ShapeRule] = {
    "Activation": _same,
    "BatchNorm": _batch_norm,
    "Concat": _concat,
    "Convolution": _convolution,
    "Dropout": _same,
    "ElementWiseSum": _elementwise,
    "Flatten": _flatten,
    "FullyConnected": _fully_connected,
    "LeakyReLU": _leaky_relu,
    "Pooling": _pooling,
    "Reshape": _reshape,
    "SoftmaxActivation": _same,
    "SoftmaxOutput": _softmax_output,
    "UpSampling": _upsampling,
    "add_n": _elementwise,
    "broadcast_add": _broadcast,
    "broadcast_mul": _broadcast,
    "elemwise_add": _elementwise,
    "elemwise_mul": _elementwise,
    "expand_dims": _expand_dims,
    "softmax": _same,
}
