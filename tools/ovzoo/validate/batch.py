"""Validate several models: one model that can't be validated (a broken descriptor, missing files) is a
failure in the run, and the others are still checked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ovzoo.catalog.model import Model
from ovzoo.errors import OvzooError
from ovzoo.outcome import Outcomes
from ovzoo.validate.checks import ValidationReport
from ovzoo.validate.runner import Reference, validate_model
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.precisions import CONVERTED_PRECISIONS

log = logging.getLogger(__name__)


@dataclass
class ValidationRun(Outcomes):
    reports: list[ValidationReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """No model failed to run and every check passed."""
        return self.ok and all(report.passed for report in self.reports)


def default_precisions(model: Model, ir_dir: Path) -> tuple[str, ...]:
    """FP32 and FP16, plus each INT8 precision whose IR is there."""
    int8 = tuple(p for p in model.quantization_output_precisions if ir_path(ir_dir, model, p).is_file())
    return (*CONVERTED_PRECISIONS, *int8)


def validate_models(
    models: Sequence[Model],
    download_dir: Path,
    ir_dir: Path,
    precisions: Sequence[str] | None = None,
    reference: Reference = "mxnet",
    images: int = 16,
) -> ValidationRun:
    """:func:`validate_model` on each model (``precisions`` None: :func:`default_precisions`)."""
    run = ValidationRun()
    for model in models:
        try:
            run.reports.append(
                validate_model(
                    model,
                    download_dir,
                    ir_dir,
                    precisions or default_precisions(model, ir_dir),
                    reference,
                    images,
                )
            )
        except OvzooError as e:
            log.debug("validating %s failed: %s", model.name, e)
            run.fail(model.name, e)
    return run
