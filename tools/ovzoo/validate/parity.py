"""Parity of an IR with the original MXNet model on the same images.

FP32 (run with f32 inference) must reproduce the original: logits and probabilities within the
descriptor's absolute tolerances and the same top-5 classes. Reduced precisions (FP16 weights,
INT8) are judged by agreement: top-1 agreement and logit cosine similarity against the
descriptor's limits, since bit-closeness is not expected from them.
"""

from __future__ import annotations

import numpy as np

from ovzoo.catalog.model import PrecisionLimits, ValidationLimits
from ovzoo.validate.checks import Check
from ovzoo.validate.inference import IrOutputs

TOP_K = 5
CHANNEL_ORDER_MARGIN = 10.0


def limits_for(precision: str, limits: ValidationLimits) -> PrecisionLimits | None:
    """Agreement limits of a reduced precision; None for FP32 (held to absolute tolerances)."""
    if "INT8" in precision:
        return limits.int8
    if precision == "FP16":
        return limits.fp16
    return None


def check_parity(
    ir: IrOutputs, reference: IrOutputs, precision: str, limits: ValidationLimits
) -> list[Check]:
    """Parity checks of one precision's IR outputs against the reference on the same images."""
    reduced = limits_for(precision, limits)
    if reduced is None:
        return [
            _logits_close(ir, reference, limits.fp32_logit_atol, precision),
            _probs_close(ir, reference, limits.fp32_prob_atol, precision),
            _same_top5(ir, reference, limits.fp32_logit_atol, precision),
        ]
    return [
        _top1_agreement(ir, reference, reduced.min_top1_agreement, precision),
        _logit_cosine(ir, reference, reduced.min_logit_cosine, precision),
    ]


def check_channel_order(bgr: IrOutputs, rgb: IrOutputs, reference: IrOutputs, precision: str) -> Check:
    """The IR fed BGR matches the reference at least CHANNEL_ORDER_MARGIN times better than fed RGB.

    The reference ran on the images as the original model wants them (channels reversed from BGR),
    so an IR without the built-in channel reversal matches it only when fed RGB. How close BGR must
    be in absolute terms is the parity checks' business.
    """
    d_bgr, d_rgb = _distance(bgr, reference), _distance(rgb, reference)
    measured = f"BGR {d_bgr:.2e} / RGB {d_rgb:.2e}"
    limit = f"BGR {CHANNEL_ORDER_MARGIN:g}x closer"
    if d_rgb < d_bgr:
        return Check(
            "contract.bgr",
            False,
            measured,
            limit,
            "the IR matches the original when fed RGB, not BGR: channel reversal missing",
            precision,
        )
    if not d_bgr * CHANNEL_ORDER_MARGIN <= d_rgb:
        return Check(
            "contract.bgr",
            False,
            measured,
            limit,
            "BGR and RGB inputs match the original about equally: the channel order is not what "
            "the outputs depend on, or neither matches",
            precision,
        )
    return Check("contract.bgr", True, measured, limit, "", precision)


def _distance(outputs: IrOutputs, reference: IrOutputs) -> float:
    """max |d logit| (probabilities when the IR exposes no logits)."""
    if outputs.logits is not None:
        return float(np.abs(outputs.logits - reference.logits).max())
    return float(np.abs(outputs.prob - reference.prob).max())


def _logits_close(ir: IrOutputs, reference: IrOutputs, atol: float, precision: str) -> Check:
    if ir.logits is None or reference.logits is None:
        return Check(
            "parity.logits",
            False,
            "no logits",
            f"<= {atol:.0e}",
            "the output is not produced by a Softmax: logits can't be compared",
            precision,
        )
    return _max_difference("parity.logits", ir.logits, reference.logits, atol, precision)


def _probs_close(ir: IrOutputs, reference: IrOutputs, atol: float, precision: str) -> Check:
    return _max_difference("parity.probs", ir.prob, reference.prob, atol, precision)


def _max_difference(name: str, got: np.ndarray, want: np.ndarray, atol: float, precision: str) -> Check:
    """Largest element-wise difference against ``atol``; on failure, the image and class where it is."""
    difference = np.abs(got - want)
    worst = float(difference.max())
    image, label = np.unravel_index(difference.argmax(), difference.shape)
    detail = (
        ""
        if worst <= atol
        else f"image {image} class {label}: IR {got[image, label]:.6g}, MXNet {want[image, label]:.6g}"
    )
    return Check(name, worst <= atol, f"max |d| {worst:.2e}", f"<= {atol:.0e}", detail, precision)


def _same_top5(ir: IrOutputs, reference: IrOutputs, tie_atol: float, precision: str) -> Check:
    """Identical ordered top-5; a swap counts as equal only between reference scores closer than ``tie_atol``."""
    both_logits = ir.logits is not None and reference.logits is not None
    ir_scores = ir.logits if both_logits and ir.logits is not None else ir.prob
    ref_scores = reference.logits if both_logits and reference.logits is not None else reference.prob
    differing = []
    for image, (mine, theirs) in enumerate(zip(ir_scores, ref_scores, strict=True)):
        top_ir, top_ref = _top(mine), _top(theirs)
        if not np.array_equal(top_ir, top_ref) and np.abs(theirs[top_ir] - theirs[top_ref]).max() > tie_atol:
            differing.append((image, top_ir, top_ref))
    count = len(ir_scores)
    detail = ""
    if differing:
        image, top_ir, top_ref = differing[0]
        detail = f"image {image}: IR top-5 {top_ir.tolist()}, MXNet top-5 {top_ref.tolist()}"
    return Check(
        "parity.top5",
        not differing,
        f"{count - len(differing)}/{count} identical",
        f"{count}/{count}",
        detail,
        precision,
    )


def _top(scores: np.ndarray) -> np.ndarray:
    return np.argsort(-scores, kind="stable")[:TOP_K]


def _top1_agreement(ir: IrOutputs, reference: IrOutputs, minimum: float, precision: str) -> Check:
    agree = ir.prob.argmax(axis=1) == reference.prob.argmax(axis=1)
    share = float(agree.mean())
    detail = (
        ""
        if share >= minimum
        else f"top-1 differs on {int((~agree).sum())} of {len(agree)} images (first: image {int(np.argmin(agree))})"
    )
    return Check(
        "parity.top1_agreement", share >= minimum, f"{share:.3f}", f">= {minimum:g}", detail, precision
    )


def _cosine_scores(ir: IrOutputs, reference: IrOutputs) -> tuple[np.ndarray, np.ndarray]:
    """Both logits, or both log-probabilities when either output is not a Softmax."""
    if ir.logits is not None and reference.logits is not None:
        return ir.logits, reference.logits
    return np.log(np.maximum(ir.prob, 1e-30)), np.log(np.maximum(reference.prob, 1e-30))


def _logit_cosine(ir: IrOutputs, reference: IrOutputs, minimum: float, precision: str) -> Check:
    """Per-image cosine similarity of the logits; the worst image must reach ``minimum``."""
    mine, theirs = _cosine_scores(ir, reference)
    cosine = (mine * theirs).sum(axis=1) / (
        np.linalg.norm(mine, axis=1) * np.linalg.norm(theirs, axis=1) + 1e-30
    )
    worst = float(cosine.min())
    detail = "" if worst >= minimum else f"image {int(cosine.argmin())}: cosine {worst:.5f}"
    return Check(
        "parity.logit_cosine",
        worst >= minimum,
        f"min {worst:.5f} (mean {cosine.mean():.5f})",
        f">= {minimum:g}",
        detail,
        precision,
    )
