"""Text table and JSON form of an :class:`~ovzoo.accuracy.evaluate.AccuracyReport`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ovzoo.accuracy.evaluate import AccuracyReport
from ovzoo.atomic import atomic_write_text
from ovzoo.tables import text_table


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    points = round(100 * value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0: no "-0.00"
    return f"{points:+.2f}" if signed else f"{points:.2f}"


def format_report(report: AccuracyReport) -> str:
    """One row per launcher, model file and device: each metric in %, the config's reference, the
    differences (in points) to the reference and to the MXNet original, and accuracy_check's FAILED mark."""
    names = [m.name for m in report.results[0].metrics] if report.results else []
    headers = ["model", "launcher", "precision", "device"]
    for name in names:
        headers += [f"{name} %", "ref %", "d ref", "d mxnet"]
    headers.append("note")
    rows = []
    for result in report.results:
        row: list[object] = [result.entry, result.framework, result.precision, result.device]
        for metric in result.metrics:
            row += [
                _percent(metric.value) + (" FAILED" if metric.failed else ""),
                _percent(metric.metric.reference),
                _percent(metric.vs_reference, True),
                _percent(metric.vs_original, True),
            ]
        row.append(result.note or "-")
        rows.append(row)
    hint = report.precision_hint or "the device default precision"
    title = f"{report.dataset}: {report.images} images; IRs run at {hint}"
    return f"{title}\n{text_table(headers, rows)}"


def report_dict(report: AccuracyReport) -> dict[str, Any]:
    """Fractions 0..1, as the accuracy checker writes them; differences are fractions too."""
    return {
        "config": str(report.config),
        "dataset": report.dataset,
        "images": report.images,
        "inference_precision_hint": report.precision_hint,
        "failed": report.failed,
        "results": [
            {
                "model": r.entry,
                "framework": r.framework,
                "precision": r.precision,
                "device": r.device,
                "model_file": str(r.model_file),
                "images": r.images,
                "seconds": round(r.seconds, 3),
                "note": r.note,
                "metrics": {
                    m.name: {
                        "top_k": m.metric.top_k,
                        "value": m.value,
                        "reference": m.metric.reference,
                        "abs_threshold": m.metric.abs_threshold,
                        "rel_threshold": m.metric.rel_threshold,
                        "failed": m.failed,
                        "vs_reference": m.vs_reference,
                        "vs_original": m.vs_original,
                    }
                    for m in r.metrics
                },
            }
            for r in report.results
        ],
    }


def write_json(report: AccuracyReport, path: Path) -> None:
    atomic_write_text(Path(path), json.dumps(report_dict(report), indent=2) + "\n")
