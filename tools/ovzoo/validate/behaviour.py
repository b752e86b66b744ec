"""Behaviour checks that need no reference model: finite outputs, probabilities, determinism, batching."""

from __future__ import annotations

import numpy as np

from ovzoo.validate.checks import Check
from ovzoo.validate.inference import IrOutputs, IrRunner

ROW_SUM_ATOL = 1e-5
# Batched kernels may sum in another order; a batch of 4 must agree with single images this well.
# One batch runs the batched kernels; more would only repeat them on other pixels.
BATCH_PROB_ATOL = 1e-5
BATCH_SIZE = 4


def behaviour_batch_sizes(images: int) -> tuple[int, ...]:
    """The batch sizes check_behaviour runs ``images`` images at (batch 4 only when there are 4)."""
    return (1, BATCH_SIZE) if images >= BATCH_SIZE else (1,)


def check_behaviour(runner: IrRunner, images: np.ndarray, single: IrOutputs, precision: str) -> list[Check]:
    """The four behaviour checks on ``single`` (= runner.run(images) at batch 1)."""
    prob = single.prob
    checks = [_finite(prob, precision), _rows_sum_to_one(prob, precision)]
    again = runner.run(images[:1])
    identical = bool(np.array_equal(again.prob[0], prob[0]))
    checks.append(
        Check(
            "behaviour.deterministic",
            identical,
            "identical" if identical else f"max |d prob| {np.abs(again.prob[0] - prob[0]).max():.3g}",
            "bit-identical",
            "" if identical else "two runs of the same image differ",
            precision,
        )
    )
    checks.append(_batched(runner, images, prob, precision))
    return checks


def _finite(prob: np.ndarray, precision: str) -> Check:
    bad = ~np.isfinite(prob)
    if bad.any():
        image = int(np.argwhere(bad)[0][0])
        return Check(
            "behaviour.finite",
            False,
            f"{int(bad.sum())} non-finite",
            "0 non-finite",
            f"image {image} has NaN/inf probabilities",
            precision,
        )
    return Check("behaviour.finite", True, "0 non-finite", "0 non-finite", "", precision)


def _rows_sum_to_one(prob: np.ndarray, precision: str) -> Check:
    error = np.abs(prob.astype(np.float64).sum(axis=1) - 1.0)
    worst = int(error.argmax()) if error.size else 0
    passed = bool(np.all(error <= ROW_SUM_ATOL)) and bool(np.all(prob >= 0))
    if passed:
        detail = ""
    elif not error[worst] <= ROW_SUM_ATOL:  # NaN included
        detail = f"image {worst}: probabilities sum to {prob[worst].astype(np.float64).sum():.7g}"
    else:
        detail = f"image {int(np.argwhere(prob < 0)[0][0])} has negative probabilities"
    return Check(
        "behaviour.sum_to_one", passed, f"{error.max():.2e}", f"<= {ROW_SUM_ATOL:.0e}", detail, precision
    )


def _batched(runner: IrRunner, images: np.ndarray, single_prob: np.ndarray, precision: str) -> Check:
    if BATCH_SIZE not in behaviour_batch_sizes(len(images)):
        return Check(
            "behaviour.batch",
            False,
            f"{len(images)} images",
            f">= {BATCH_SIZE} images",
            f"need at least {BATCH_SIZE} images to test batch {BATCH_SIZE}",
            precision,
        )
    batched = runner.run(images[:BATCH_SIZE], batch=BATCH_SIZE).prob
    difference = np.abs(batched - single_prob[:BATCH_SIZE])
    worst = float(difference.max())
    passed = worst <= BATCH_PROB_ATOL
    detail = (
        ""
        if passed
        else f"image {int(np.unravel_index(difference.argmax(), difference.shape)[0])} differs at batch {BATCH_SIZE}"
    )
    return Check(
        "behaviour.batch", passed, f"max |d prob| {worst:.2e}", f"<= {BATCH_PROB_ATOL:.0e}", detail, precision
    )
