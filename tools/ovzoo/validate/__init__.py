"""Check converted IRs: I/O contract, layer shapes, size and cost, behaviour, parity with the original."""

from ovzoo.validate.batch import ValidationRun, validate_models
from ovzoo.validate.checks import Check, ValidationReport
from ovzoo.validate.runner import validate_model

__all__ = ["Check", "ValidationReport", "ValidationRun", "validate_model", "validate_models"]
