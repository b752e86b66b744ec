"""Run an IR with its logits exposed and compare it with the MXNet original.

Shared by tests/test_parity.py and benchmarks/compare_legacy_mo.sh (which also runs the legacy Model
Optimizer's IR through it, so nothing here assumes ovzoo's tensor or node names).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov

F32 = {"INFERENCE_PRECISION_HINT": "f32"}


@dataclass(frozen=True)
class IROutputs:
    prob: np.ndarray
    logits: np.ndarray


@dataclass(frozen=True)
class Agreement:
    max_prob_diff: float
    max_logit_diff: float
    logit_cosine: float  # the smallest per-image cosine similarity of the logits
    top1_agreement: float  # fraction of images with the same top-1 class
    top5_identical: bool  # every image has the same top-5 set

    def describe(self) -> str:
        return (
            f"max|d prob| {self.max_prob_diff:.2e}, max|d logit| {self.max_logit_diff:.2e}, "
            f"min logit cosine {self.logit_cosine:.6f}, top-1 agreement {self.top1_agreement:.3f}, "
            f"top-5 sets identical {self.top5_identical}"
        )


def run_ir(xml: Path, bgr_batch: np.ndarray, config: dict[str, str] | None = None) -> IROutputs:
    """Infer ``bgr_batch`` (NCHW, BGR raw) one image at a time; logits = the input of the SoftMax."""
    core = ov.Core()
    model = core.read_model(xml)
    softmax = [op for op in model.get_ordered_ops() if op.get_type_name().lower() == "softmax"]
    if len(softmax) != 1:
        raise AssertionError(f"{xml}: expected one Softmax, found {len(softmax)}")
    model.add_outputs([softmax[0].input(0).get_source_output()])
    compiled = core.compile_model(model, "CPU", config or F32)
    request = compiled.create_infer_request()
    probs, logits = [], []
    for image in bgr_batch:
        result = request.infer({0: image[None].astype(np.float32)})
        probs.append(result[compiled.outputs[0]][0])
        logits.append(result[compiled.outputs[-1]][0])
    return IROutputs(np.stack(probs), np.stack(logits))


def compare(got: IROutputs, prob: np.ndarray, logits: np.ndarray) -> Agreement:
    cosine = np.sum(got.logits * logits, axis=1) / (
        np.linalg.norm(got.logits, axis=1) * np.linalg.norm(logits, axis=1)
    )
    top5_got = np.argsort(-got.logits, axis=1)[:, :5]
    top5_ref = np.argsort(-logits, axis=1)[:, :5]
    return Agreement(
        max_prob_diff=float(np.abs(got.prob - prob).max()),
        max_logit_diff=float(np.abs(got.logits - logits).max()),
        logit_cosine=float(cosine.min()),
        top1_agreement=float(np.mean(got.logits.argmax(1) == logits.argmax(1))),
        top5_identical=all(set(a) == set(b) for a, b in zip(top5_got, top5_ref, strict=True)),
    )
