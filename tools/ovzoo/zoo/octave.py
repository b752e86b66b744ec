"""The OctConv family (facebookresearch/OctConv, MIT): symbols with the exact upstream layout.

The upstream checkpoints were built with ``mx.sym`` from pre-activation ResNet/ResNeXt bottlenecks in
which every convolution is an octave convolution. This module rebuilds the same graph in pure Python
and serialises it the way MXNet 1.9.1's ``Symbol.tojson()`` does, so that no MXNet import is needed
and the result is byte-identical to what a *fresh* MXNet process produces (auto-named nodes such as
``pooling3`` or ``elementwisesum0`` depend on per-op-type counters that start at 0 in each process).

Facts the layout depends on (FACTS.md section 3; checked against MXNet by tests/test_octave_builder.py):
- node order is MXNet's post-order DFS from the head, inputs in order; auto names come from creation
  order, so the two differ where a block's shortcut (created last) is the residual sum's first input;
- implicitly created weight variables carry a copy of their op's attributes; BatchNorm's moving
  statistics also carry ``__init__``; attribute values are the ``str()`` of the Python arguments;
- max pooling has 2 outputs in ``node_row_ptr`` (MKLDNN workspace), BatchNorm 3, the rest 1;
- stage 5 runs with alpha forced to 0, where upstream's residual sum takes no name (auto-named).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MXNET_VERSION = 10901  # what mxnet 1.9.1 writes; the upstream file's version has the same length
_SUFFIXES = ("-h", "-l")


@dataclass(frozen=True)
class OctaveSpec:
    """One network of the family: a pre-activation ResNet/ResNeXt with octave convolutions."""

    name: str
    archive: str  # upstream tar file name; it unpacks to <stem>/checkpoint-0-*
    blocks: tuple[int, int, int, int]  # bottlenecks in stages L2..L5
    alpha: float  # share of low-frequency channels (stage 5 always runs at 0)
    num_group: int = 1  # groups of the 3x3 convs (ResNeXt 32x4d: 32)
    stem_channels: int = 64
    mid_channels: int = 64  # bottleneck width of stage L2, doubling per stage
    out_channels: int = 256  # block output width of stage L2, doubling per stage
    num_classes: int = 1000
    input_size: int = 224

    @property
    def stem(self) -> str:
        """The archive's top folder (the tar name without .tar)."""
        return self.archive.removesuffix(".tar")

    @property
    def checkpoint_prefix(self) -> str:
        """Member prefix of the checkpoint files inside the archive."""
        return f"{self.stem}/checkpoint-0"

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (1, 3, self.input_size, self.input_size)


OCTAVE_FAMILY: dict[str, OctaveSpec] = {
    spec.name: spec
    for spec in (
        OctaveSpec(
            "octave-resnext-50-0.25",
            "a04_resnext-50_32x4d_alpha-0.250.tar",
            (3, 4, 6, 3),
            0.25,
            num_group=32,
            mid_channels=128,
        ),
        OctaveSpec("octave-resnet-26-0.25", "a02_resnet-26_alpha-0.250.tar", (2, 2, 2, 2), 0.25),
        # small member for a quickly trained 10-class test model (same builder, same op mix)
        OctaveSpec(
            "octave-resnet-tiny-0.25",
            "octave-resnet-tiny-0.25.tar",
            (1, 1, 1, 1),
            0.25,
            stem_channels=16,
            mid_channels=16,
            out_channels=32,
            num_classes=10,
            input_size=32,
        ),
    )
}


# --- a minimal symbol graph ------------------------------------------------------------------------


@dataclass(eq=False)
class _Node:
    op: str
    name: str
    attrs: dict[str, str]
    inputs: list[_Node] = field(default_factory=list)
    num_outputs: int = 1
    channels: int = 0  # output channels of an op node
    shape: tuple[int, ...] = ()  # shape of a parameter variable
    aux: bool = False  # a BatchNorm moving statistic (aux: in .params)


def _pair(value: int) -> str:
    return str((value, value))


class _Graph:
    """Creates nodes the way mx.sym does (names, implicit variables, counters)."""

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
    ) -> _Node:
        return _Node("null", name, dict(attrs or {}), shape=shape, aux=aux)

    def convolution(
        self, x: _Node, num_filter: int, kernel: int, pad: int, stride: int, num_group: int, name: str
    ) -> _Node:
        attrs = {
            "kernel": _pair(kernel),
            "no_bias": "True",
            "num_filter": str(num_filter),
            "num_group": str(num_group),
            "pad": _pair(pad),
            "stride": _pair(stride),
        }
        weight = self.variable(f"{name}_weight", attrs, (num_filter, x.channels // num_group, kernel, kernel))
        return _Node("Convolution", name, attrs, [x, weight], channels=num_filter)

    def batch_norm(self, x: _Node, name: str) -> _Node:
        attrs = {"eps": "0.0001", "fix_gamma": "False", "momentum": "0.92"}
        shape = (x.channels,)
        params = [
            self.variable(f"{name}_gamma", attrs, shape),
            self.variable(f"{name}_beta", attrs, shape),
            self.variable(f"{name}_moving_mean", {"__init__": '["zero", {}]', **attrs}, shape, aux=True),
            self.variable(f"{name}_moving_var", {"__init__": '["one", {}]', **attrs}, shape, aux=True),
        ]
        return _Node("BatchNorm", name, attrs, [x, *params], num_outputs=3, channels=x.channels)

    @staticmethod
    def relu(x: _Node, name: str) -> _Node:
        return _Node("Activation", name, {"act_type": "relu"}, [x], channels=x.channels)

    def avg_pool2(self, x: _Node) -> _Node:
        attrs = {"kernel": _pair(2), "pad": _pair(0), "pool_type": "avg", "stride": _pair(2)}
        return _Node("Pooling", self._name(None, "pooling"), attrs, [x], channels=x.channels)

    def upsample2(self, x: _Node) -> _Node:
        attrs = {"num_args": "1", "sample_type": "nearest", "scale": "2"}
        return _Node("UpSampling", self._name(None, "upsampling"), attrs, [x], channels=x.channels)

    def add_n(self, xs: list[_Node], name: str | None) -> _Node:
        # mx.sym.ElementWiseSum serialises as add_n; unnamed ones take the 'elementwisesum' counter
        return _Node(
            "add_n",
            self._name(name, "elementwisesum"),
            {"num_args": str(len(xs))},
            list(xs),
            channels=xs[0].channels,
        )


# --- the upstream network ----------------------------------------------------------------------------

Tensor = tuple[_Node | None, ...]  # (high,) or (high, low); a missing branch is None


def _octave_conv(
    g: _Graph,
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
        high = g.avg_pool2(high) if stride == 2 else high
        if num_high > 0:
            h2h = g.convolution(high, num_high, kernel, pad, 1, min(num_high, num_group), f"{name}-h2h")
        if num_low > 0:
            h2l = g.convolution(
                g.avg_pool2(high), num_low, kernel, pad, 1, min(num_low, num_group), f"{name}-h2l"
            )
    if low is not None:
        if num_low > 0:
            source = g.avg_pool2(low) if stride == 2 else low
            l2l = g.convolution(source, num_low, kernel, pad, 1, min(num_low, num_group), f"{name}-l2l")
        if num_high > 0:
            l2h = g.convolution(low, num_high, kernel, pad, 1, min(num_high, num_group), f"{name}-l2h")
            l2h = g.upsample2(l2h) if stride == 1 else l2h
    out = _gather_sum(g, [(h2h, h2l), (l2h, l2l)], name)
    return out[:1] if out[1] is None else out


def _gather_sum(g: _Graph, sources: list[Tensor], name: str) -> Tensor:
    """Per-frequency sum; one contributor passes through, none gives None."""
    out: list[_Node | None] = []
    for i in range(len(sources[0])):
        parts = [part for part in (s[i] for s in sources) if part is not None]
        out.append(
            None if not parts else parts[0] if len(parts) == 1 else g.add_n(parts, name + _SUFFIXES[i])
        )
    return tuple(out)


def _bn_relu_conv(
    g: _Graph,
    data: Tensor,
    num_filter: tuple[int, int],
    kernel: int,
    pad: int,
    stride: int,
    num_group: int,
    name: str,
) -> Tensor:
    act = tuple(
        None if x is None else g.relu(g.batch_norm(x, f"{name}_bn{sfx}"), f"{name}_relu{sfx}")
        for x, sfx in zip(data, _SUFFIXES[: len(data)], strict=True)
    )
    return _octave_conv(g, act, num_filter, kernel, pad, stride, num_group, f"{name}_conv")


def _split(channels: int, alpha: float) -> tuple[int, int]:
    low = int(alpha * channels)
    return channels - low, low


def _bottleneck(
    g: _Graph,
    data: Tensor,
    mid: int,
    out: int,
    name: str,
    first: bool,
    stride: int,
    num_group: int,
    alpha: float,
) -> Tensor:
    mids, outs = _split(mid, alpha), _split(out, alpha)
    body = _bn_relu_conv(g, data, mids, 1, 0, 1, 1, f"{name}_conv1")
    body = _bn_relu_conv(g, body, mids, 3, 1, stride, num_group, f"{name}_conv2")
    body = _bn_relu_conv(g, body, outs, 1, 0, 1, 1, f"{name}_conv3")
    shortcut = _bn_relu_conv(g, data, outs, 1, 0, stride, 1, f"{name}_conv4") if first else data
    if len(shortcut) == 1 and len(body) == 1:
        # single-frequency tensors are plain symbols upstream: its ElementWiseSum then drops the name
        return (g.add_n([shortcut[0], body[0]], None),)  # type: ignore[list-item]
    return _gather_sum(g, [shortcut, body], f"{name}_sum")


def _build(spec: OctaveSpec) -> list[_Node]:
    """The head node list (one head: the softmax)."""
    g = _Graph()
    x = g.variable("data")
    x.channels = 3
    x = g.convolution(x, spec.stem_channels, 7, 3, 2, 1, "conv1_conv")
    x = g.relu(g.batch_norm(x, "conv1_bn"), "conv1_relu")
    attrs = {"kernel": _pair(3), "pad": _pair(1), "pool_type": "max", "stride": _pair(2)}
    x = _Node("Pooling", "pool1", attrs, [x], num_outputs=2, channels=x.channels)
    data: Tensor = (x,)
    mid, out = spec.mid_channels, spec.out_channels
    for stage, count in zip((2, 3, 4, 5), spec.blocks, strict=True):
        if stage > 2:
            mid, out = 2 * mid, 2 * out
        alpha = spec.alpha if stage < 5 else min(spec.alpha, 0.0)
        for i in range(1, count + 1):
            stride = 2 if (i == 1 and stage > 2) else 1
            data = _bottleneck(g, data, mid, out, f"L{stage}_B{i:02d}", i == 1, stride, spec.num_group, alpha)
    assert len(data) == 1 and data[0] is not None  # stage 5 merged the frequencies
    x = g.relu(g.batch_norm(data[0], "tail_bn"), "tail_relu")
    attrs = {"global_pool": "True", "kernel": _pair(7), "pool_type": "avg", "stride": _pair(1)}
    x = _Node("Pooling", "global-pool", attrs, [x], channels=x.channels)
    x = _Node("Flatten", "flatten", {}, [x], channels=x.channels)
    fc_attrs = {"num_hidden": str(spec.num_classes)}
    x = _Node(
        "FullyConnected",
        "classifier",
        fc_attrs,
        [
            x,
            g.variable("classifier_weight", fc_attrs, (spec.num_classes, x.channels)),
            g.variable("classifier_bias", fc_attrs, (spec.num_classes,)),
        ],
        channels=spec.num_classes,
    )
    return [_Node("SoftmaxOutput", "softmax", {}, [x, g.variable("softmax_label")])]


def _post_order(heads: list[_Node]) -> list[_Node]:
    """MXNet's node order: iterative post-order DFS, inputs in order, each node once."""
    order: list[_Node] = []
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


def _serialise(nodes: list[_Node], heads: list[_Node]) -> str:
    """Format exactly as dmlc's JSONWriter does for an nnvm graph (MXNet 1.x)."""
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


def build_symbol_json(spec: OctaveSpec) -> str:
    """The ``-symbol.json`` text, byte-identical to ``Symbol.tojson()`` of a fresh MXNet 1.9.1 process."""
    heads = _build(spec)
    return _serialise(_post_order(heads), heads)


def param_shapes(spec: OctaveSpec) -> dict[str, tuple[int, ...]]:
    """Shapes of the checkpoint's arrays, keyed as stored in ``.params`` (``arg:...`` then ``aux:...``).

    Order: MXNet's ``list_arguments()`` then ``list_auxiliary_states()``, as ``save_checkpoint`` writes
    them. ``data`` and ``softmax_label`` are inputs, not parameters.
    """
    params = [n for n in _post_order(_build(spec)) if n.op == "null" and n.shape]
    return {
        **{f"arg:{n.name}": n.shape for n in params if not n.aux},
        **{f"aux:{n.name}": n.shape for n in params if n.aux},
    }
