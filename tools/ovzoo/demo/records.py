"""What ``ovzoo demo`` is asked to do and what it gives back (shared by the pipeline and its report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ovzoo.benchmark import BenchmarkReport, InferPrecision
from ovzoo.validate import ValidationReport

DEMO_MODEL = "octave-resnext-50-0.25"


@dataclass(frozen=True)
class DemoOptions:
    output_dir: Path = Path("demo-out")
    seconds: float = 3.0  # per benchmark run
    model_name: str = DEMO_MODEL
    seed: int = 0
    images: int = 16  # validation images
    quantize: bool = True  # INT8 too, when ovzoo.quantize is available
    # None: f32, plus the device default when that differs
    infer_precisions: tuple[InferPrecision, ...] | None = None


@dataclass
class DemoResult:
    report_md: Path
    validation: ValidationReport | None = None
    benchmark: BenchmarkReport | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what was skipped or reused, and why

    @property
    def ok(self) -> bool:
        return (
            self.validation is not None
            and self.validation.passed
            and self.benchmark is not None
            and self.benchmark.ok
        )
