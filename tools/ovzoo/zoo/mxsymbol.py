"""A minimal ``mx.sym`` stand-in: builds a symbol graph and writes it exactly as MXNet 1.9.1 does.

The family's symbols are rebuilt in pure Python (no MXNet import) and serialised the way
``Symbol.tojson()`` of a *fresh* MXNet process writes them (checked against MXNet by
tests/test_octave_builder.py):

- nodes come in MXNet's post-order DFS from the head, inputs in order;
- unnamed ops take ``<op hint><counter>`` names (``pooling3``, ``concat0``) from per-hint counters that
  start at 0 in each process and advance in *creation* order, so a builder must create ops in the
  order the original Python code did; an explicit name leaves the counter alone;
- implicitly created weight variables carry a copy of their op's attributes; BatchNorm's moving
  statistics also carry ``__init__``; attribute values are the ``str()`` of the Python arguments;
- max pooling has 2 outputs in ``node_row_ptr`` (MKLDNN workspace), BatchNorm 3, the rest 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MXNET_VERSION = 10901  # what mxnet 1.9.1 writes; the upstream files' version has the same length


@dataclass(eq=False)
class Node:
    op: str
    name: str
    attrs: dict[str, str]
    inputs: list[Node] = field(default_factory=list)
    num_outputs: int = 1
    channels: int = 0  # output channels of an op node
    shape: tuple[int, ...] = ()  # shape of a parameter variable
    aux: bool = False  # a BatchNorm moving statistic (aux: in .params)


def pair(value: int) -> str:
    """A 2-D attribute as Python prints the tuple: ``(3, 3)``."""
    return str((value, value))


class SymbolGraph:
    """Creates nodes the way mx.sym does (names, implicit variables, auto-name counters)."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def _name(self, name: str | None, hint: str) -> str:
        if name is not None:
            return name
        count = self._counters.get(hint, 0)
        self._counters[hint] = count + 1
        return f"{hint}{count}"

    @staticmethod
    def variable(
        name: str, attrs: dict[str, str] | None = None, shape: tuple[int, ...] = (), aux: bool = False
    ) -> Node:
        return Node("null", name, dict(attrs or {}), shape=shape, aux=aux)

    def convolution(
        self,
        x: Node,
        num_filter: int,
        kernel: int,
        pad: int,
        stride: int,
        num_group: int,
        name: str,
    ) -> Node:
        attrs = {
            "kernel": pair(kernel),
            "no_bias": "True",
            "num_filter": str(num_filter),
            "num_group": str(num_group),
            "pad": pair(pad),
            "stride": pair(stride),
        }
        weight = self.variable(f"{name}_weight", attrs, (num_filter, x.channels // num_group, kernel, kernel))
        return Node("Convolution", name, attrs, [x, weight], channels=num_filter)

    def batch_norm(self, x: Node, name: str) -> Node:
        attrs = {"eps": "0.0001", "fix_gamma": "False", "momentum": "0.92"}
        shape = (x.channels,)
        params = [
            self.variable(f"{name}_gamma", attrs, shape),
            self.variable(f"{name}_beta", attrs, shape),
            self.variable(f"{name}_moving_mean", {"__init__": '["zero", {}]', **attrs}, shape, aux=True),
            self.variable(f"{name}_moving_var", {"__init__": '["one", {}]', **attrs}, shape, aux=True),
        ]
        return Node("BatchNorm", name, attrs, [x, *params], num_outputs=3, channels=x.channels)

    @staticmethod
    def activation(x: Node, act_type: str, name: str) -> Node:
        return Node("Activation", name, {"act_type": act_type}, [x], channels=x.channels)

    def pooling(self, x: Node, attrs: dict[str, str], name: str | None = None) -> Node:
        outputs = 2 if attrs.get("pool_type") == "max" else 1
        return Node(
            "Pooling", self._name(name, "pooling"), attrs, [x], num_outputs=outputs, channels=x.channels
        )

    def upsample2(self, x: Node) -> Node:
        attrs = {"num_args": "1", "sample_type": "nearest", "scale": "2"}
        return Node("UpSampling", self._name(None, "upsampling"), attrs, [x], channels=x.channels)

    def add_n(self, xs: list[Node], name: str | None) -> Node:
        # mx.sym.ElementWiseSum serialises as add_n; unnamed ones take the 'elementwisesum' counter
        return Node(
            "add_n",
            self._name(name, "elementwisesum"),
            {"num_args": str(len(xs))},
            list(xs),
            channels=xs[0].channels,
        )

    def concat(self, xs: list[Node], name: str | None) -> Node:
        # no dim: MXNet's default, 1 (channels)
        return Node(
            "Concat",
            self._name(name, "concat"),
            {"num_args": str(len(xs))},
            list(xs),
            channels=sum(x.channels for x in xs),
        )

    def broadcast_mul(self, xs: list[Node], name: str | None) -> Node:
        lhs, rhs = xs
        return Node("broadcast_mul", self._name(name, "broadcast_mul"), {}, [lhs, rhs], channels=lhs.channels)

    @staticmethod
    def expand_dims(x: Node, axis: int, name: str) -> Node:
        return Node("expand_dims", name, {"axis": str(axis)}, [x], channels=x.channels)

    def fully_connected(self, x: Node, num_hidden: int, name: str, no_bias: bool | None = None) -> Node:
        """Flattens its input (MXNet's default), so ``x.channels`` is the input size; ``no_bias`` None
        leaves the attribute unwritten (a bias, MXNet's default)."""
        attrs = {"num_hidden": str(num_hidden)}
        if no_bias is not None:
            attrs["no_bias"] = str(no_bias)
        params = [self.variable(f"{name}_weight", attrs, (num_hidden, x.channels))]
        if not no_bias:
            params.append(self.variable(f"{name}_bias", attrs, (num_hidden,)))
        return Node("FullyConnected", name, attrs, [x, *params], channels=num_hidden)


def post_order(heads: list[Node]) -> list[Node]:
    """MXNet's node order: iterative post-order DFS, inputs in order, each node once."""
    order: list[Node] = []
    seen: set[int] = set()
    for head in heads:
        if id(head) in seen:
            continue
        seen.add(id(head))
        stack = [(head, 0)]
        while stack:
            node, next_input = stack[-1]
            if next_input == len(node.inputs):
                order.append(node)
                stack.pop()
                continue
            stack[-1] = (node, next_input + 1)
            child = node.inputs[next_input]
            if id(child) not in seen:
                seen.add(id(child))
                stack.append((child, 0))
    return order


def _json_str(text: str) -> str:
    return json.dumps(text)


def to_json(heads: list[Node]) -> str:
    """Format exactly as dmlc's JSONWriter does for an nnvm graph (MXNet 1.x)."""
    nodes = post_order(heads)
    index = {id(n): i for i, n in enumerate(nodes)}
    entries = []
    for n in nodes:
        lines = [f'      "op": {_json_str(n.op)}', f'      "name": {_json_str(n.name)}']
        if len(n.attrs) == 1:  # the writer keeps a one-entry map on one line
            ((key, value),) = n.attrs.items()
            lines.append(f'      "attrs": {{{_json_str(key)}: {_json_str(value)}}}')
        elif n.attrs:
            items = ", \n".join(f"        {_json_str(k)}: {_json_str(v)}" for k, v in sorted(n.attrs.items()))
            lines.append('      "attrs": {\n' + items + "\n      }")
        # an entry's third field is the variable's version: 1 for the mutable BatchNorm statistics
        inputs = ", ".join(f"[{index[id(i)]}, 0, {int(i.aux)}]" for i in n.inputs)
        lines.append(f'      "inputs": [{inputs}]')
        entries.append("    {\n" + ", \n".join(lines) + "\n    }")
    arg_nodes = [i for i, n in enumerate(nodes) if n.op == "null"]
    row_ptr = [0]
    for n in nodes:
        row_ptr.append(row_ptr[-1] + n.num_outputs)

    def int_list(values: list[int]) -> str:
        return "[\n" + ", \n".join(f"    {v}" for v in values) + "\n  ]"

    head_refs = ", ".join(f"[{index[id(h)]}, 0, 0]" for h in heads)
    return (
        "{\n"
        '  "nodes": [\n' + ", \n".join(entries) + "\n  ], \n"
        f'  "arg_nodes": {int_list(arg_nodes)}, \n'
        f'  "node_row_ptr": {int_list(row_ptr)}, \n'
        f'  "heads": [{head_refs}], \n'
        f'  "attrs": {{"mxnet_version": ["int", {MXNET_VERSION}]}}\n'
        "}"
    )


def parameters(heads: list[Node]) -> list[Node]:
    """The graph's parameter variables (those with a shape), in MXNet's ``list_arguments()`` order."""
    return [n for n in post_order(heads) if n.op == "null" and n.shape]
