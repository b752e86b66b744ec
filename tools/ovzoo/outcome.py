"""One way for every stage to say what failed: a :class:`Failure` per model (and precision), kept in
the stage's report beside its results, and printed and counted by the CLI in one place
(``ovzoo.cli.common.report_failures``). One model's failure never stops the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ovzoo.errors import OvzooError


@dataclass(frozen=True)
class Failure:
    """A model, or one precision of it, that a stage could not do; the error keeps the context."""

    model: str
    error: OvzooError
    precision: str | None = None  # None: the whole model failed

    def __str__(self) -> str:
        return str(self.error)


@dataclass
class Outcomes:
    """The failures half of every stage report (its results are the stage's own records)."""

    failures: list[Failure] = field(default_factory=list, kw_only=True)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def failed(self) -> dict[str, OvzooError]:
        """Model name -> its first error, in the order they failed."""
        first: dict[str, OvzooError] = {}
        for failure in self.failures:
            first.setdefault(failure.model, failure.error)
        return first

    def fail(self, model: str, error: OvzooError, precision: str | None = None) -> None:
        self.failures.append(Failure(model, error, precision))


def failed_models(failures: Sequence[Failure]) -> list[str]:
    return list(dict.fromkeys(f.model for f in failures))
