"""The validator's records: one :class:`Check` per verified property, gathered in a :class:`ValidationReport`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One verified property of one IR.

    ``measured`` and ``limit`` are what a person reads in the table (numbers or short text);
    ``detail`` says why a check failed, naming the layer/tensor/image involved.
    """

    name: str  # e.g. "contract.output", "cost.gflops", "parity.logits"
    passed: bool
    measured: Any
    limit: Any
    detail: str = ""
    precision: str = ""  # the IR precision it applies to ("" = the model as a whole)

    def to_json(self) -> dict[str, Any]:
        return {key: _jsonable(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class ValidationReport:
    """Every check run on one model's IRs."""

    model: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def check(self, name: str, precision: str = "") -> Check:
        """The check called ``name`` for ``precision``; KeyError when it was not run."""
        for check in self.checks:
            if check.name == name and check.precision == precision:
                return check
        raise KeyError(f"{precision}/{name}" if precision else name)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "passed": self.passed, "checks": [c.to_json() for c in self.checks]}


def _jsonable(value: Any) -> Any:
    """numpy scalars and tuples into plain JSON types."""
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value
