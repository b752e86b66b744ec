"""Read an MXNet ``-symbol.json`` into an immutable graph, without importing mxnet.

The JSON stores every attribute as a string (``"(3, 3)"``, ``"True"``, ``"1e-4"``) and omits
attributes left at their default, so :class:`Node` offers typed getters that take MXNet's default
from the caller (translators and shape rules know the op's defaults) and fail with a
:class:`~ovzoo.errors.FormatError` naming the node when a value doesn't parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ovzoo.errors import ConversionError, FormatError
from ovzoo.tuples import tuple_items

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_NO_ATTRS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class NodeRef:
    """One output of one node: ``node`` is the producer's index in :attr:`Graph.nodes`."""

    node: int
    index: int = 0


@dataclass(frozen=True, eq=False)
class Node:
    """One entry of the symbol's ``nodes`` list; ``op == "null"`` marks a variable (input or weight)."""

    index: int
    op: str
    name: str
    attrs: Mapping[str, str] = field(default_factory=dict)
    inputs: tuple[NodeRef, ...] = ()
    source: str = field(default="", repr=False)  # the file it came from, for messages

    @property
    def is_variable(self) -> bool:
        return self.op == "null"

    @property
    def where(self) -> tuple[str, ...]:
        """Context labels for errors about this node."""
        label = f"node {self.name!r} ({self.op})"
        return (self.source, label) if self.source else (label,)

    def format_error(self, problem: str) -> FormatError:
        return FormatError(problem, self.where)

    def check(self, condition: bool, problem: str) -> None:
        """Raise ConversionError naming this node unless ``condition`` holds (an attribute we can't honour)."""
        if not condition:
            raise ConversionError(problem, self.where)

    def expect_inputs(self, minimum: int, maximum: int | None = None) -> None:
        """Raise FormatError unless the node has between ``minimum`` and ``maximum`` inputs."""
        maximum = minimum if maximum is None else maximum
        if not minimum <= len(self.inputs) <= maximum:
            wanted = str(minimum) if minimum == maximum else f"{minimum}..{maximum}"
            raise self.format_error(f"expected {wanted} inputs, got {len(self.inputs)}")

    def require(self, *names: str) -> None:
        """Raise FormatError unless every attribute in ``names`` is set (MXNet parameters without a default)."""
        for name in names:
            if name not in self.attrs:
                raise self.format_error(f"attribute {name!r} is required")

    # typed attribute getters: ``default`` is MXNet's default for the op

    def _raw(self, name: str) -> str | None:
        value = self.attrs.get(name)
        return None if value is None else value.strip()

    def attr_str(self, name: str, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value

    def attr_int(self, name: str, default: int) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise self.format_error(f"attribute {name!r}: expected an integer, got {value!r}") from None

    def attr_float(self, name: str, default: float) -> float:
        value = self._raw(name)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise self.format_error(f"attribute {name!r}: expected a number, got {value!r}") from None

    def attr_bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise self.format_error(f"attribute {name!r}: expected True or False, got {value!r}")

    def attr_tuple(self, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
        """An integer tuple: ``"(3, 3)"``, ``"[3,3]"``, ``"(3,)"``, ``"()"`` or a bare ``"3"`` (dmlc's Tuple syntax)."""
        value = self._raw(name)
        if value is None or value == "None":
            return default
        try:
            return tuple(int(item) for item in tuple_items(value))
        except ValueError:
            raise self.format_error(f"attribute {name!r}: expected an integer tuple, got {value!r}") from None

    def attr_optional_tuple(self, name: str) -> tuple[int | None, ...]:
        """An integer tuple whose items may be ``None`` (slice bounds: ``"(None, 2)"``); absent is ``()``."""
        value = self._raw(name)
        if value is None or value == "None":
            return ()
        try:
            return tuple(None if item == "None" else int(item) for item in tuple_items(value))
        except ValueError:
            raise self.format_error(
                f"attribute {name!r}: expected a tuple of integers or None, got {value!r}"
            ) from None

    def attr_optional_int(self, name: str) -> int | None:
        """An integer attribute whose value may be ``None`` (MXNet's optional<int>); absent is None."""
        value = self._raw(name)
        return None if value is None or value == "None" else self.attr_int(name, 0)

    def attr_optional_float(self, name: str) -> float | None:
        """A number attribute whose value may be ``None`` (MXNet's optional<float>); absent is None."""
        value = self._raw(name)
        return None if value is None or value == "None" else self.attr_float(name, 0.0)


@dataclass(frozen=True, eq=False)
class Graph:
    """A parsed symbol: nodes in topological order, the outputs (heads) and the file-level attributes.

    Nodes are addressed by index, as MXNet does: several may share a name (Gluon's Xception reuses
    one ReLU block, giving seven nodes called ``xception650_relu0_fwd``).
    """

    nodes: tuple[Node, ...]
    heads: tuple[NodeRef, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    _by_name: Mapping[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Node] = {}
        for node in self.nodes:  # names need not be unique (a Gluon block applied twice): the first wins
            by_name.setdefault(node.name, node)
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    def node(self, name: str) -> Node:
        """The first node called ``name`` (as MXNet's ``get_internals()[name + "_output"]``).

        Raises:
            KeyError: no node has that name.
        """
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.source or 'symbol'}: no node named {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def op_nodes(self) -> Iterator[Node]:
        """Every node that is not a variable, in order."""
        return (n for n in self.nodes if not n.is_variable)

    @property
    def variables(self) -> Iterator[Node]:
        return (n for n in self.nodes if n.is_variable)

    def producer(self, ref: NodeRef) -> Node:
        return self.nodes[ref.node]


def load_symbol(path: Path) -> Graph:
    """Read and parse an MXNet ``-symbol.json`` file.

    Raises:
        FormatError: the file is unreadable, not JSON, or not a valid symbol (names the file and node).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FormatError(f"can't read symbol file: {e}", (str(path),)) from e
    return parse_symbol(text, str(path))


def parse_symbol(text: str, source: str) -> Graph:
    """Parse the text of an MXNet symbol JSON; ``source`` names it in error messages.

    Raises:
        FormatError: bad JSON, a missing key, a dangling or forward input reference, a variable with inputs.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(f"not valid JSON: {e}", (source,)) from None
    if not isinstance(document, dict):
        raise FormatError("expected a JSON object with 'nodes' and 'heads'", (source,))
    raw_nodes = _require(document, "nodes", list, (source,))
    nodes = [_parse_node(raw, index, source) for index, raw in enumerate(raw_nodes)]
    raw_heads = _require(document, "heads", list, (source,))
    heads = tuple(_parse_ref(raw, len(nodes), (source, f"heads[{i}]")) for i, raw in enumerate(raw_heads))
    if not heads:
        raise FormatError("'heads' is empty: the symbol has no output", (source,))
    attrs = document.get("attrs", {})
    return Graph(
        tuple(nodes), heads, MappingProxyType(dict(attrs) if isinstance(attrs, dict) else {}), source
    )


def _require(container: Mapping[str, Any], key: str, kind: type, where: tuple[str, ...]) -> Any:
    if key not in container:
        raise FormatError(f"missing key {key!r}", where)
    value = container[key]
    if not isinstance(value, kind):
        raise FormatError(f"{key!r}: expected a {kind.__name__}, got {type(value).__name__}", where)
    return value


def _parse_node(raw: Any, index: int, source: str) -> Node:
    where = (source, f"nodes[{index}]")
    if not isinstance(raw, dict):
        raise FormatError("expected a JSON object", where)
    name = _require(raw, "name", str, where)
    where = (source, f"node {name!r}")
    op = _require(raw, "op", str, where)
    where = (source, f"node {name!r} ({op})")
    # MXNet 0.8 wrote "param", 0.9..1.0 "attr", later versions "attrs"
    attrs = raw.get("attrs", raw.get("attr", raw.get("param", {})))
    if not isinstance(attrs, dict) or not all(isinstance(v, str) for v in attrs.values()):
        raise FormatError("'attrs': expected an object of strings", where)
    raw_inputs = _require(raw, "inputs", list, where)
    inputs = tuple(_parse_ref(ref, index, (*where, f"inputs[{i}]")) for i, ref in enumerate(raw_inputs))
    if op == "null" and inputs:
        raise FormatError(f"a variable (op 'null') can't have inputs, it has {len(inputs)}", where)
    return Node(index, op, name, MappingProxyType(attrs) if attrs else _NO_ATTRS, inputs, source)


def _parse_ref(raw: Any, limit: int, where: tuple[str, ...]) -> NodeRef:
    """Parse ``[node, output, version]``; ``node`` must be < ``limit`` (inputs come earlier: topological order)."""
    if (
        not isinstance(raw, list)
        or not 2 <= len(raw) <= 3
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw)
    ):
        raise FormatError(f"expected [node, output, version], got {raw!r}", where)
    node, output = raw[0], raw[1]
    if not 0 <= node < limit:
        raise FormatError(
            f"refers to node #{node}, which is not an earlier node (nodes must be in "
            f"topological order and there are {limit} before this point)",
            where,
        )
    if output < 0:
        raise FormatError(f"negative output index {output}", where)
    return NodeRef(node, output)
