"""The results table of ``ovzoo benchmark`` and the demo report, text or Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from ovzoo.benchmark.records import Measurement
from ovzoo.tables import markdown_table, text_table

TABLE_HEADERS = (
    "model",
    "precision",
    "inference precision",
    "batch",
    "FPS",
    "median latency (ms)",
    "GFLOP/s",
    "speed-up vs MXNet",
)


def table_rows(measurements: Sequence[Measurement]) -> list[list[object]]:
    return [
        [
            m.model,
            m.precision,
            m.infer_precision,
            m.batch,
            f"{m.fps:.2f}",
            f"{m.median_latency_ms:.2f}",
            None if m.gflops_per_s is None else f"{m.gflops_per_s:.1f}",
            None if m.speedup is None else f"{m.speedup:.2f}x",
        ]
        for m in measurements
    ]


def format_measurements(measurements: Sequence[Measurement], markdown: bool = False) -> str:
    rows = table_rows(measurements)
    return markdown_table(TABLE_HEADERS, rows) if markdown else text_table(TABLE_HEADERS, rows)
