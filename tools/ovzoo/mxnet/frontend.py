"""MXNet symbol + params -> ``ov.Model``, one translator per op (see :mod:`ovzoo.mxnet.ops`).

The IR uses opset8 ops plus Interpolate-11 only, so it loads in OpenVINO 2023.3 LTS as well as
current releases. Weights are f32 Constants sharing the params' memory; FP16 compression happens
when the model is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.errors import ConversionError, FormatError, OvzooError
from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops import OPS
from ovzoo.mxnet.shapes import run_inference, unsupported_ops_error
from ovzoo.mxnet.symbol import Graph, Node, NodeRef

log = logging.getLogger(__name__)


def convert_graph(
    graph: Graph,
    params: Mapping[str, np.ndarray],
    input_shapes: Mapping[str, Sequence[int]],
    outputs: Sequence[str] | None = None,
    *,
    params_source: str = "",
) -> ov.Model:
    """Translate ``graph`` into an OpenVINO model.

    ``params`` are keyed by bare names (no ``arg:``/``aux:``); ``input_shapes`` names the data
    variables (they become f32 Parameters named after them); ``outputs`` are MXNet node names to
    expose, by default the graph's heads; ``params_source`` names the .params file in messages. Every translated MXNet node's output carries the node's
    name as friendly name; model outputs also carry it as tensor name.

    Raises:
        UnsupportedOpsError: op types without a translator (all of them, each with its first node).
        ConversionError: an attribute value or input we can't honour (names the node), a missing param.
        FormatError: inconsistent shapes or params, non-finite weights (names the node or param).
    """
    error = unsupported_ops_error(graph, OPS, "translator")
    if error:
        raise error
    output_refs = _output_refs(graph, outputs)
    needed = _needed_nodes(graph, output_refs)
    _check_params_present(graph, params, input_shapes, needed, params_source)
    inference = run_inference(graph, input_shapes, params)
    parameters = {}
    for name, shape in input_shapes.items():
        parameter = opset8.parameter([int(d) for d in shape], np.float32, name=name)
        parameter.output(0).get_tensor().set_names({name})
        parameters[name] = parameter
    ctx = ConvertContext(
        graph,
        params,
        inference.shapes,
        {k: p.output(0) for k, p in parameters.items()},
        plan_batch_norm_folding(graph, params, {ref.node for ref in output_refs}),
        params_source,
        inference.attributes,
    )
    for node in graph.nodes:
        if node.is_variable or node.index not in needed:
            continue
        record = OPS[node.op]
        try:
            ctx.values[node.index] = record.translate(node, inference.attributes[node.index], ctx)
        except OvzooError:
            raise
        except Exception as e:  # a bug or an OpenVINO refusal: keep the traceback, say where
            e.add_note(f"while translating {node.op} {node.name!r}")
            raise
    results = []
    for ref in output_refs:
        node = graph.nodes[ref.node]
        value = ctx.input(
            Node(-1, "output", node.name, inputs=(ref,), source=graph.source), 0
        )  # a stand-in reader
        value.get_tensor().add_names({node.name})
        result = opset8.result(value)
        result.set_friendly_name(f"{node.name}/sink_port_{ref.index}")
        results.append(result)
    model = ov.Model(results, list(parameters.values()), graph.source or "mxnet")
    _make_friendly_names_unique(model)
    log.debug("converted %d MXNet nodes into %d OpenVINO ops", len(needed), len(model.get_ops()))
    return model


def _make_friendly_names_unique(model: ov.Model) -> None:
    """Suffix repeated friendly names (``relu``, ``relu_2``, ...): MXNet allows repeated node names, but
    OpenVINO 2023.3 refuses an IR whose layer names repeat. The first op in topological order keeps
    the name, so a lookup by MXNet name finds the first node, as MXNet's does."""
    seen = {parameter.get_friendly_name() for parameter in model.get_parameters()}
    for op in model.get_ordered_ops():
        if op.get_type_name() == "Parameter":
            continue
        name = op.get_friendly_name()
        if name in seen:
            count = 2
            while f"{name}_{count}" in seen:
                count += 1
            name = f"{name}_{count}"
            op.set_friendly_name(name)
        seen.add(name)


def plan_batch_norm_folding(
    graph: Graph, params: Mapping[str, object], keep: set[int] | frozenset[int] = frozenset()
) -> dict[int, Node]:
    """Convolution index -> the BatchNorm to fold into it.

    A BatchNorm (axis 1) folds into the Convolution feeding it when that convolution's output has
    no other reader, is not a requested output (``keep``), and every weight involved is a stored
    param. The folded convolution keeps its own friendly name (same shape, scaled values) and its
    bias Add carries the BatchNorm's name.
    """
    readers: dict[int, int] = {}
    for node in graph.nodes:
        for ref in node.inputs:
            readers[ref.node] = readers.get(ref.node, 0) + 1
    for ref in graph.heads:
        readers[ref.node] = readers.get(ref.node, 0) + 1
    plan: dict[int, Node] = {}
    for bn in graph.op_nodes:
        if bn.op != "BatchNorm" or len(bn.inputs) != 5 or bn.attr_int("axis", 1) != 1:
            continue
        source = bn.inputs[0]
        conv = graph.nodes[source.node]
        if (
            conv.op != "Convolution"
            or source.index != 0
            or readers.get(conv.index) != 1
            or conv.index in keep
            or bn.attr_bool("output_mean_var", False)
        ):
            continue
        weights = [graph.nodes[ref.node] for ref in (*conv.inputs[1:], *bn.inputs[1:])]
        if all(w.is_variable and w.name in params for w in weights):
            plan[conv.index] = bn
    return plan


def _output_refs(graph: Graph, outputs: Sequence[str] | None) -> list[NodeRef]:
    if outputs is None:
        return list(graph.heads)
    refs = []
    for name in outputs:
        base = name.removesuffix("_output") if name not in graph else name
        if base not in graph:
            raise ConversionError(
                f"requested output {name!r} is not a node of the symbol",
                (graph.source,) if graph.source else (),
            )
        refs.append(NodeRef(graph.node(base).index, 0))
    return refs


# ops whose inputs after the first are training labels: never read at inference
_LABEL_OPS = frozenset({"SoftmaxOutput"})


def _check_params_present(
    graph: Graph,
    params: Mapping[str, np.ndarray],
    input_shapes: Mapping[str, Sequence[int]],
    needed: set[int],
    params_source: str,
) -> None:
    """Every weight a needed node reads is in the params (labels excepted).

    Raises:
        FormatError: the first missing one, naming the params file, the param and its reader.
    """
    for node in graph.op_nodes:
        if node.index not in needed:
            continue
        for slot, ref in enumerate(node.inputs):
            var = graph.nodes[ref.node]
            if not var.is_variable or var.name in params or var.name in input_shapes:
                continue
            if slot > 0 and node.op in _LABEL_OPS:
                continue
            where = params_source or graph.source
            raise FormatError(
                f"the params have no array for it; node {node.name!r} ({node.op}) reads it as input {slot} "
                "(pass it as an input if it is one)",
                (*((where,) if where else ()), f"param {var.name!r}"),
            )


def _needed_nodes(graph: Graph, outputs: Sequence[NodeRef]) -> set[int]:
    """Indices of the nodes the outputs depend on (only those are translated)."""
    needed: set[int] = set()
    stack = [ref.node for ref in outputs]
    while stack:
        index = stack.pop()
        if index in needed:
            continue
        needed.add(index)
        stack.extend(ref.node for ref in graph.nodes[index].inputs)
    return needed
