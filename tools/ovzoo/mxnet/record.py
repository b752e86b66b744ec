"""One record per MXNet op: its attributes with MXNet's defaults, its shape rule and its translator.

The three parts sit side by side so they can't disagree: the shape rule and the translator both
receive the attributes that ``parse`` read, and ``parse`` is where a value the translator can't
honour is refused (a :class:`~ovzoo.errors.ConversionError` naming the node), so shape inference
refuses it too. The table of records is :data:`ovzoo.mxnet.ops.OPS`.

A shape rule takes the node, its attributes and the shapes of its inputs (``None`` where unknown:
a weight nobody gave a shape for) and returns the output shapes plus the shapes it *expects* for
its inputs, which is how weight shapes are inferred (a Convolution fixes its weight at
(O, I/g, kh, kw), a BatchNorm its four vectors at (C,), ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import numpy as np

from ovzoo.mxnet.symbol import Node

if TYPE_CHECKING:
    import openvino as ov

    from ovzoo.mxnet.context import ConvertContext

Shape = tuple[int, ...]
InputShapes = list[Shape | None]
Expected = list[Shape | None]
Inferred = tuple[list[Shape], Expected]  # (output shapes, shapes required of the inputs)

A = TypeVar("A")


@dataclass(frozen=True)
class OpRecord(Generic[A]):
    """Everything ovzoo knows about one MXNet op type."""

    parse: Callable[[Node], A]  # attributes with MXNet's defaults; refuses values we can't honour
    infer: Callable[[Node, A, InputShapes], Inferred]
    translate: Callable[[Node, A, ConvertContext], list[ov.Output]]
    sizes_inputs_alike: bool = False  # every input has the output's shape: one sized input sizes all


AnyRecord = OpRecord[Any]


class OpTable(MutableMapping[str, AnyRecord]):
    """MXNet op name -> its record, where each record is named ``"<module>.<ATTRIBUTE>"`` inside
    ``package`` and its module is imported on the first lookup (iteration lists the names alone).

    Setting an entry overrides the record (tests swap in a broken translator this way).
    """

    def __init__(self, package: str, where: Mapping[str, str]) -> None:
        self._package = package
        self._where = dict(where)
        self._records: dict[str, AnyRecord] = {}

    def __getitem__(self, op: str) -> AnyRecord:
        record = self._records.get(op)
        if record is None:
            module, _, attribute = self._where[op].rpartition(".")  # KeyError for an unknown op
            record = getattr(import_module(f"{self._package}.{module}"), attribute)
            self._records[op] = record
        return record

    def __setitem__(self, op: str, record: AnyRecord) -> None:
        self._where.setdefault(op, "")
        self._records[op] = record

    def __delitem__(self, op: str) -> None:
        del self._where[op]
        self._records.pop(op, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, op: object) -> bool:
        return op in self._where


def no_attributes(node: Node) -> None:
    """``parse`` for ops whose attributes don't change inference."""
    return None


# --- helpers shared by the shape rules ------------------------------------------------------------


def data_shape(node: Node, shapes: InputShapes, slot: int = 0) -> Shape:
    """The known shape of input ``slot``.

    Raises:
        FormatError: the input is missing or can't be sized.
    """
    if slot >= len(shapes):
        raise node.format_error(f"expected at least {slot + 1} inputs, got {len(shapes)}")
    shape = shapes[slot]
    if shape is None:
        raise node.format_error(f"can't infer the shape of input {slot}: pass it in input_shapes")
    return shape


def normalized_axis(node: Node, axis: int, rank: int, name: str = "axis") -> int:
    """``axis`` in 0..rank-1 (negative counts from the end).

    Raises:
        FormatError: out of range for ``rank``.
    """
    if not -rank <= axis < rank:
        raise node.format_error(f"attribute {name!r}: {axis} is out of range for a rank-{rank} input")
    return axis % rank


def inserted_axis(node: Node, axis: int, rank: int) -> int:
    """Where a new axis goes among rank-``rank`` inputs (expand_dims, stack): 0..rank, negative from the end.

    Raises:
        FormatError: out of range for ``rank``.
    """
    if not -rank - 1 <= axis <= rank:
        raise node.format_error(
            f"attribute 'axis': {axis} is out of range for a new axis of rank-{rank} inputs"
        )
    return axis % (rank + 1)


def same_shape(node: Node, attrs: object, shapes: InputShapes) -> Inferred:
    """The output has the first input's shape."""
    return [data_shape(node, shapes)], []


def all_alike(node: Node, attrs: object, shapes: InputShapes) -> Inferred:
    """Every input and the output share one shape (add_n, elemwise_*)."""
    first = next((s for s in shapes if s is not None), None)
    if first is None:
        raise node.format_error("can't infer the shape of any input: pass them in input_shapes")
    for slot, shape in enumerate(shapes):
        if shape is not None and shape != first:
            raise node.format_error(f"input {slot} has shape {shape}, input shapes must all be {first}")
    return [first], [first] * len(shapes)


def broadcast(node: Node, attrs: object, shapes: InputShapes) -> Inferred:
    """Numpy broadcasting of the two inputs (broadcast_*)."""
    left, right = data_shape(node, shapes, 0), data_shape(node, shapes, 1)
    try:
        return [tuple(np.broadcast_shapes(left, right))], []
    except ValueError:
        raise node.format_error(f"input shapes {left} and {right} don't broadcast") from None


def spatial(node: Node, values: tuple[int, ...], name: str, default: int, rank: int) -> Shape:
    """A per-axis attribute (stride, pad, dilate) for ``rank`` spatial axes; empty means ``default``.

    Raises:
        FormatError: the attribute has the wrong number of values.
    """
    if not values:
        return (default,) * rank
    if len(values) != rank:
        raise node.format_error(f"attribute {name!r}: expected {rank} values, got {values}")
    return values
