"""Run a model over a stream of preprocessed images and keep each image's top classes.

Two launchers, as in the accuracy checker: the MXNet original (through
:class:`ovzoo.mxnet.reference.MXNetReference`) and an OpenVINO IR (``AsyncInferQueue``, so that
several requests are in flight at once). Both return, per image, the class indices ordered by
descending probability, truncated to the largest ``top_k`` the metrics need.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import openvino as ov

from ovzoo.errors import OvzooError

MXNET_BATCH = 8


def top_classes(prob: np.ndarray, keep: int) -> np.ndarray:
    """Class indices by descending probability (ties: lower index first), first ``keep`` columns."""
    order = np.argsort(-np.asarray(prob, dtype=np.float64), axis=-1, kind="stable")
    return order[..., :keep]


def _batched(images: Iterable[np.ndarray], size: int) -> Iterator[list[np.ndarray]]:
    batch: list[np.ndarray] = []
    for image in images:
        batch.append(image)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_mxnet(
    symbol: Path,
    params: Path,
    input_name: str,
    input_shape: Sequence[int],
    images: Iterable[np.ndarray],
    keep: int,
) -> Iterator[np.ndarray]:
    """Yield top classes per image from the MXNet original (images already in its input space, CxHxW).

    Raises:
        ReferenceUnavailable: mxnet does not import; FormatError: unreadable checkpoint.
    """
    from ovzoo.mxnet.reference import MXNetReference  # noqa: PLC0415 (imports mxnet)

    reference = MXNetReference.load(symbol, params, (MXNET_BATCH, *input_shape), input_name=input_name)
    for batch in _batched(images, MXNET_BATCH):
        count = len(batch)
        # the executor is bound to a fixed batch; pad the last one with copies and drop them after
        padded = np.stack(batch + [batch[-1]] * (MXNET_BATCH - count)).astype(np.float32)
        prob = reference.forward(padded).prob[:count]
        yield from top_classes(prob, keep)


# accuracy_check's --inference_precision_hint spellings -> OpenVINO's INFERENCE_PRECISION_HINT values
PRECISION_HINTS = {"f32": "f32", "fp32": "f32", "bf16": "bf16", "f16": "f16", "fp16": "f16"}


def compile_ir(
    xml: Path, device: str = "CPU", precision_hint: str | None = None, core: ov.Core | None = None
) -> ov.CompiledModel:
    """Compile an IR for throughput; ``precision_hint`` (f32, bf16, f16) pins the float parts' precision,
    None leaves it to the device (bf16 on CPUs with AVX512-BF16 or AMX).

    Raises:
        OvzooError: OpenVINO can't read or compile it.
    """
    core = core or ov.Core()
    config: dict[str, object] = {"PERFORMANCE_HINT": "THROUGHPUT"}
    if precision_hint is not None:
        config["INFERENCE_PRECISION_HINT"] = PRECISION_HINTS[precision_hint.lower()]
    try:
        return core.compile_model(str(xml), device, config)
    except RuntimeError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise OvzooError(f"OpenVINO can't load the IR on {device} ({first})", (str(xml),)) from None


def run_openvino(
    compiled: ov.CompiledModel, images: Iterable[np.ndarray], keep: int, output_name: str = "prob"
) -> Iterator[np.ndarray]:
    """Yield top classes per image, in input order, keeping several async requests in flight."""
    names = [o.get_names() for o in compiled.outputs]
    output_index = next((i for i, n in enumerate(names) if output_name in n), 0)
    queue = ov.AsyncInferQueue(compiled)  # jobs=0: as many requests as the device wants
    done: dict[int, np.ndarray] = {}

    def collect(request: ov.InferRequest, index: int) -> None:
        done[index] = top_classes(request.get_output_tensor(output_index).data[0], keep)

    queue.set_callback(collect)
    next_out = 0
    for index, image in enumerate(images):
        queue.start_async({0: image[None]}, userdata=index)
        while next_out in done:  # hand results on in order as soon as they are ready
            yield done.pop(next_out)
            next_out += 1
    queue.wait_all()
    while next_out in done:
        yield done.pop(next_out)
        next_out += 1
