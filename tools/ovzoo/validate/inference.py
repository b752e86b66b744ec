"""Run an IR the way the validator needs: f32 inference, probabilities plus the logits before softmax."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import openvino as ov

# Compare numerics at f32: CPUs with AVX512-BF16 otherwise infer in bf16 (4-5 % logit error).
F32_CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}


@dataclass(frozen=True)
class IrOutputs:
    prob: np.ndarray  # (N, classes)
    logits: np.ndarray | None  # the input of the final Softmax; None when the output is not a Softmax

    def head(self, count: int) -> IrOutputs:
        """The outputs of the first ``count`` images."""
        return IrOutputs(self.prob[:count], None if self.logits is None else self.logits[:count])


def find_output(model: ov.Model, name: str) -> ov.Output | None:
    """The model output carrying tensor name ``name``, or None."""
    for output in model.outputs:
        if name in output.get_names():
            return output
    return None


class IrRunner:
    """Compiles ``model`` once per batch size and runs batches through it.

    ``output`` picks the probabilities (by tensor name; the first output when absent, so that the
    behaviour checks still run on an IR whose contract check failed). The Softmax input feeding it
    is added as an extra output so parity can compare logits.
    """

    def __init__(self, core: ov.Core, model: ov.Model, output: str, config: dict | None = None) -> None:
        self._core = core
        self._config = dict(F32_CONFIG if config is None else config)
        self._model = model.clone()
        prob = find_output(self._model, output) or self._model.outputs[0]
        self._prob_index = list(self._model.outputs).index(prob)
        producer = prob.get_node().input_value(0).get_node()
        self._logits_index: int | None = None
        if producer.get_type_name() == "Softmax":
            self._model.add_outputs([producer.input_value(0)])
            self._logits_index = len(self._model.outputs) - 1
        self._input = self._model.inputs[0]
        self._compiled: dict[int, ov.CompiledModel] = {}

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self._input.get_partial_shape().to_shape())

    def prepare(self, batches: Sequence[int]) -> None:
        """Compile for each of ``batches`` at once: compiling is mostly single-threaded, so two
        compilations side by side take about 0.6 of the time of one after the other."""
        missing = sorted(set(batches) - set(self._compiled))
        if missing:
            with ThreadPoolExecutor(max_workers=len(missing)) as pool:  # ov.Core is thread-safe
                self._compiled.update(zip(missing, pool.map(self._compile, missing), strict=True))

    def _compiled_for(self, batch: int) -> ov.CompiledModel:
        if batch not in self._compiled:
            self._compiled[batch] = self._compile(batch)
        return self._compiled[batch]

    def _compile(self, batch: int) -> ov.CompiledModel:
        model = self._model
        if batch != self.input_shape[0]:
            model = self._model.clone()
            model.reshape({model.inputs[0]: [batch, *self.input_shape[1:]]})
        return self._core.compile_model(model, "CPU", self._config)

    def run(self, images: np.ndarray, batch: int = 1) -> IrOutputs:
        """Run ``images`` (N, C, H, W) in chunks of ``batch`` (N must be a multiple of it)."""
        if len(images) % batch:
            raise ValueError(f"{len(images)} images do not split into batches of {batch}")
        request = self._compiled_for(batch).create_infer_request()
        probs, logits = [], []
        for start in range(0, len(images), batch):
            chunk = np.ascontiguousarray(images[start : start + batch], dtype=np.float32)
            results = request.infer({0: chunk})
            probs.append(np.array(results[self._prob_index], dtype=np.float32, copy=True))
            if self._logits_index is not None:
                logits.append(np.array(results[self._logits_index], dtype=np.float32, copy=True))
        return IrOutputs(
            prob=np.concatenate(probs),
            logits=np.concatenate(logits) if self._logits_index is not None else None,
        )
