"""Run the original MXNet checkpoint (the parity reference), returning probabilities and logits."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ovzoo.errors import FormatError
from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.symbol import parse_symbol

log = logging.getLogger(__name__)

# heads whose input is the logits
SOFTMAX_OPS = frozenset({"SoftmaxOutput", "softmax", "SoftmaxActivation"})


@dataclass(frozen=True)
class ReferenceOutput:
    """MXNet's outputs for one batch: the head (probabilities) and the input of the final softmax."""

    prob: np.ndarray
    logits: np.ndarray


class MXNetReference:
    """An MXNet executor bound on CPU for inference, with the checkpoint's weights loaded."""

    def __init__(
        self,
        symbol: Any,
        arg_params: dict[str, Any],
        aux_params: dict[str, Any],
        input_shape: Sequence[int],
        input_name: str = "data",
        source: str = "",
    ) -> None:
        self._mx = import_mxnet()
        self.input_name = input_name
        self.source = source
        group, self.logits_name = _with_logits(symbol, source)
        self._executor = group.simple_bind(
            self._mx.cpu(), grad_req="null", **{input_name: tuple(input_shape)}
        )
        _copy_params(self._executor, arg_params, aux_params, input_name, source)

    @classmethod
    def load(
        cls, symbol_path: Path, params_path: Path, input_shape: Sequence[int], input_name: str = "data"
    ) -> MXNetReference:
        """Load ``*-symbol.json`` and ``*.params`` with MXNet and bind for ``input_shape``.

        Raises:
            ReferenceUnavailable: mxnet doesn't import here.
            FormatError: MXNet can't read a file, a weight is missing or has the wrong shape.
        """
        mx = import_mxnet()
        try:
            symbol = mx.sym.load(str(symbol_path))
        except Exception as e:  # MXNetError and friends
            raise FormatError(f"MXNet can't load the symbol: {_first_line(e)}", (str(symbol_path),)) from e
        try:
            saved = mx.nd.load(str(params_path))
        except Exception as e:
            raise FormatError(f"MXNet can't load the params: {_first_line(e)}", (str(params_path),)) from e
        if not isinstance(saved, dict):
            raise FormatError(
                "the params hold an unnamed list, expected arg:/aux: names", (str(params_path),)
            )
        arg_params = {k[4:]: v for k, v in saved.items() if k.startswith("arg:")}
        aux_params = {k[4:]: v for k, v in saved.items() if k.startswith("aux:")}
        return cls(symbol, arg_params, aux_params, input_shape, input_name, str(params_path))

    def forward(self, batch: np.ndarray) -> ReferenceOutput:
        """Inference forward pass on an NCHW float32 batch in the original model's input space.

        A batch of another size rebinds (sharing the weights).
        """
        batch = np.asarray(batch, dtype=np.float32)
        bound = self._executor.arg_dict[self.input_name]
        if batch.shape != bound.shape:
            self._executor = self._executor.reshape(
                partial_shaping=True, allow_up_sizing=True, **{self.input_name: batch.shape}
            )
            bound = self._executor.arg_dict[self.input_name]
        bound[:] = batch
        prob, logits = self._executor.forward(is_train=False)
        return ReferenceOutput(prob.asnumpy(), logits.asnumpy())


def _with_logits(symbol: Any, source: str) -> tuple[Any, str]:
    """Group the symbol's head with the input of its final softmax; returns (group, logits output name)."""
    mx = import_mxnet()
    graph = parse_symbol(symbol.tojson(), source or "symbol")
    if len(graph.heads) != 1:
        raise FormatError(f"expected one head (the softmax), found {len(graph.heads)}", (source,))
    head = graph.nodes[graph.heads[0].node]
    if head.op not in SOFTMAX_OPS:
        raise FormatError(
            f"the head {head.name!r} is a {head.op}, not a softmax: no logits to compare", (source,)
        )
    producer = graph.nodes[head.inputs[0].node]
    internals = symbol.get_internals()
    if producer.is_variable:
        logits_name = producer.name
    else:  # MXNet names an op's outputs <name>_output, or <name>_output0, _output1... when it has several
        outputs = [n for n in internals.list_outputs() if n.startswith(f"{producer.name}_output")]
        logits_name = outputs[head.inputs[0].index]
    return mx.sym.Group([symbol, internals[logits_name]]), logits_name


def _copy_params(
    executor: Any, arg_params: dict[str, Any], aux_params: dict[str, Any], input_name: str, source: str
) -> None:
    for target, stored, kind in (
        (executor.arg_dict, arg_params, "arg"),
        (executor.aux_dict, aux_params, "aux"),
    ):
        missing = [
            name
            for name in target
            if name not in stored and name != input_name and not name.endswith("_label")
        ]
        if missing:
            raise FormatError(f"{len(missing)} {kind} param(s) missing, first {missing[0]!r}", (source,))
        for name, value in stored.items():
            if name not in target:
                continue  # extra arrays (e.g. an optimizer's) are harmless
            if tuple(value.shape) != tuple(target[name].shape):
                raise FormatError(
                    f"param {name!r} has shape {tuple(value.shape)}, the symbol needs "
                    f"{tuple(target[name].shape)}",
                    (source,),
                )
            value.copyto(target[name])
    log.debug("bound MXNet reference with %d arg and %d aux params", len(arg_params), len(aux_params))


def _first_line(error: Exception) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return next(
        (line for line in reversed(lines) if "Error" in line), lines[-1] if lines else type(error).__name__
    )
