"""The IR precisions, in one table: which stage makes each, and how its float weights are stored."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ovzoo.errors import OvzooError, UsageError


@dataclass(frozen=True)
class Precision:
    name: str  # the folder name under <dir>/public/<model>/, as omz_converter writes it
    compress_to_fp16: bool  # weights that stay float are saved as FP16
    quantized_from: str | None = None  # the IR an INT8 precision starts from; None: ovzoo convert makes it


PRECISIONS: dict[str, Precision] = {
    p.name: p
    for p in (
        Precision("FP32", compress_to_fp16=False),
        Precision("FP16", compress_to_fp16=True),
        Precision("FP32-INT8", compress_to_fp16=False, quantized_from="FP32"),
        Precision("FP16-INT8", compress_to_fp16=True, quantized_from="FP16"),
    )
}
CONVERTED_PRECISIONS: tuple[str, ...] = tuple(p.name for p in PRECISIONS.values() if p.quantized_from is None)
QUANTIZED_PRECISIONS: tuple[str, ...] = tuple(p.name for p in PRECISIONS.values() if p.quantized_from)
ALL_PRECISIONS: tuple[str, ...] = tuple(PRECISIONS)


def check_precisions(
    precisions: Iterable[str],
    allowed: Sequence[str] = ALL_PRECISIONS,
    error: Callable[[str], OvzooError] = UsageError,
) -> tuple[str, ...]:
    """``precisions`` de-duplicated in their order, each one of ``allowed``.

    Raises:
        what ``error`` builds (a UsageError unless the stage names its own): an unknown precision, or none.
    """
    wanted = tuple(dict.fromkeys(precisions))
    unknown = [p for p in wanted if p not in allowed]
    if unknown or not wanted:
        raise error(f"unknown precision(s) {', '.join(unknown) or '(none)'}; choose from {','.join(allowed)}")
    return wanted
