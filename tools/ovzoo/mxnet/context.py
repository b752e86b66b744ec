"""What a translator sees while the front end builds an ``ov.Model``: values, weights, shapes, naming."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.errors import ConversionError, FormatError
from ovzoo.ir import spill
from ovzoo.mxnet.params import ParamsFile
from ovzoo.mxnet.record import Shape
from ovzoo.mxnet.symbol import Graph, Node


class ConvertContext:
    """Per-conversion state shared by the translators.

    Values are created lazily: a weight variable becomes an f32 ``Constant`` (sharing the numpy
    buffer) the first time a translator reads it as a graph value, so weights that a translator
    consumes as arrays (to fold or reshape them) never turn into unused constants.
    """

    def __init__(
        self,
        graph: Graph,
        params: Mapping[str, np.ndarray],
        shapes: Sequence[tuple[Shape, ...]],
        parameters: Mapping[str, ov.Output],
        folded_batch_norms: Mapping[int, Node],
        params_source: str = "",
        attributes: Sequence[Any] = (),
    ) -> None:
        self.graph = graph
        self.params = params
        self.shapes = shapes  # by node index
        self.params_source = params_source  # the .params file, for messages
        self.attributes = attributes  # parsed attributes by node index (what each record's parse gave)
        self.values: dict[int, list[ov.Output]] = {}
        # small constants by (type, shape, bytes): each distinct value is one node however many read it
        self._shared: dict[tuple[str, tuple[int, ...], bytes], ov.Output] = {}
        self._parameters = parameters
        self._folded = folded_batch_norms  # conv node index -> the BatchNorm folded into it
        self._folded_into = {bn.index: conv for conv, bn in folded_batch_norms.items()}

    # --- reading inputs ---

    def input(self, node: Node, slot: int) -> ov.Output:
        """The graph value feeding input ``slot`` of ``node``."""
        ref = node.inputs[slot]
        if ref.node not in self.values:
            producer = self.graph.nodes[ref.node]
            if not producer.is_variable:  # translated in topological order, so this is a bug
                raise ConversionError(f"input {slot} ({producer.name!r}) was not translated", node.where)
            if producer.name in self._parameters:
                self.values[ref.node] = [self._parameters[producer.name]]
            else:
                self.values[ref.node] = [self.constant(self.param(node, slot), producer.name)]
        values = self.values[ref.node]
        if ref.index >= len(values):
            producer = self.graph.nodes[ref.node]
            raise ConversionError(
                f"reads output {ref.index} of {producer.name!r} ({producer.op}), which has "
                f"no inference value (only {len(values)} output(s))",
                node.where,
            )
        return values[ref.index]

    def inputs(self, node: Node) -> list[ov.Output]:
        return [self.input(node, slot) for slot in range(len(node.inputs))]

    def param(self, node: Node, slot: int, *, private: bool = False) -> np.ndarray:
        """The stored array feeding input ``slot`` of ``node``, as contiguous f32 (no copy when it already is).

        ``private``: the caller may change it in place (a weight folded with a BatchNorm). A
        :class:`~ovzoo.mxnet.params.ParamsFile` reads a fresh array on every lookup, which is then
        used as is; arrays of a plain mapping belong to its owner and are copied.

        Raises:
            ConversionError: the input is not a variable with a stored param.
            FormatError: the stored array holds NaN or infinite values (names the param).
        """
        if slot >= len(node.inputs):
            raise ConversionError(f"input {slot} is missing", node.where)
        producer = self.graph.nodes[node.inputs[slot].node]
        if not producer.is_variable or producer.name in self._parameters:
            raise ConversionError(f"input {slot} ({producer.name!r}) must be a stored weight", node.where)
        try:
            array = self.params[producer.name]
        except KeyError:
            raise ConversionError(f"param {producer.name!r} is missing from the params", node.where) from None
        values = np.ascontiguousarray(array, dtype=np.float32)
        if private and values is array and not isinstance(self.params, ParamsFile):
            values = values.copy()
        # min and max propagate NaN and show infinities, without a temporary the size of the array
        if values.size and not (np.isfinite(values.min()) and np.isfinite(values.max())):
            count = values.size - int(np.isfinite(values).sum())
            raise self.param_error(node, slot, f"{count} non-finite value(s) (NaN or infinity)")
        return values

    def param_error(self, node: Node, slot: int, problem: str) -> FormatError:
        """An error about the stored array feeding ``slot`` of ``node``, naming the params file and the param."""
        name = self.graph.nodes[node.inputs[slot].node].name
        where = (self.params_source,) if self.params_source else ()
        return FormatError(
            f"{problem}; the checkpoint is broken", (*where, f"param {name!r} (read by {node.name!r})")
        )

    def input_shape(self, node: Node, slot: int) -> Shape:
        ref = node.inputs[slot]
        return self.shapes[ref.node][ref.index]

    def output_shape(self, node: Node, index: int = 0) -> Shape:
        return self.shapes[node.index][index]

    # --- batch-norm folding plan ---

    def batch_norm_folded_into(self, conv: Node) -> Node | None:
        """The BatchNorm this convolution must absorb, if the plan folds one into it."""
        return self._folded.get(conv.index)

    def is_folded(self, batch_norm: Node) -> bool:
        """True when this BatchNorm was already applied by the preceding convolution."""
        return batch_norm.index in self._folded_into

    # --- building ---

    @staticmethod
    def constant(array: np.ndarray, name: str) -> ov.Output:
        """An f32 Constant over ``array``; shares its memory (the Constant keeps the array alive)."""
        array = np.asarray(array, dtype=np.float32)
        if not array.flags.c_contiguous:  # (not ascontiguousarray: it turns 0-d scalars into 1-d)
            array = np.ascontiguousarray(array)
        constant = ov.op.Constant(spill.keep(array), shared_memory=True)
        constant.set_friendly_name(name)
        return constant.output(0)

    def integers(self, values: Sequence[int], name: str) -> ov.Output:
        """An i64 Constant holding ``values`` (an axis list, a shape), shared by every reader of the same
        values; it keeps the name of the first."""
        return self.shared(np.asarray(values, dtype=np.int64), name)

    def shared(self, array: np.ndarray, name: str) -> ov.Output:
        """A Constant holding ``array``'s values (type kept), made once per distinct value.

        For the small fixed operands many nodes repeat (Interpolate's axes and scales): a node in the
        graph costs about 3 KB while converting and as much again in the XML document that OpenVINO
        builds to save it; DenseNet repeats its upsampling operands 86 times. The node is named after
        its first reader.
        """
        array = np.asarray(array)
        if not array.flags.c_contiguous:  # (as in constant(): keep 0-d arrays 0-d)
            array = np.ascontiguousarray(array)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in self._shared:
            constant = opset8.constant(array)
            constant.set_friendly_name(name)
            self._shared[key] = constant.output(0)
        return self._shared[key]

    @staticmethod
    def named(output: ov.Output | ov.Node, name: str) -> ov.Output:
        """Give the producing node a friendly name and return its first output."""
        ov_node = output.get_node() if isinstance(output, ov.Output) else output
        ov_node.set_friendly_name(name)
        return ov_node.output(0)
