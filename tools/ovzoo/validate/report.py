"""The validator's report for people (a table) and machines (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ovzoo.atomic import atomic_write_text
from ovzoo.tables import markdown_table, text_table
from ovzoo.validate.checks import ValidationReport

HEADERS = ("model", "precision", "check", "result", "measured", "limit", "detail")
# terminal cells longer than this are shortened in the middle; --json keeps every word
TEXT_CELL = 44


def report_rows(reports: Sequence[ValidationReport]) -> list[list[object]]:
    return [
        [
            report.model,
            check.precision or "-",
            check.name,
            "pass" if check.passed else "FAIL",
            check.measured,
            check.limit,
            check.detail,
        ]
        for report in reports
        for check in report.checks
    ]


def format_reports(reports: Sequence[ValidationReport], markdown: bool = False) -> str:
    """One table row per check; ``markdown`` for report.md."""
    rows = report_rows(reports)
    return markdown_table(HEADERS, rows) if markdown else text_table(HEADERS, rows, max_cell=TEXT_CELL)


def write_json(reports: Sequence[ValidationReport], path: Path) -> None:
    """All reports as one JSON document (atomic)."""
    document = {"passed": all(r.passed for r in reports), "models": [r.to_json() for r in reports]}
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
