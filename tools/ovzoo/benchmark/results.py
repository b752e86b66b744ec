"""``results.json``: the measurements, the options, the failures, and which OpenVINO on which device."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import openvino as ov

from ovzoo.atomic import atomic_write_text
from ovzoo.benchmark.app import device_name
from ovzoo.benchmark.records import BenchmarkOptions, Measurement
from ovzoo.outcome import Failure


def write_results(
    path: Path, measurements: Sequence[Measurement], options: BenchmarkOptions, failures: Sequence[Failure]
) -> None:
    document = {
        "openvino": ov.get_version(),
        "device": device_name(options.device),
        "options": {**asdict(options), "infer_precisions": list(options.infer_precisions)},
        "results": [asdict(m) for m in measurements],
        "failures": [{"model": f.model, "precision": f.precision, "error": str(f)} for f in failures],
    }
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
