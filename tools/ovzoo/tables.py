"""Plain-text and Markdown tables for command results (validate, benchmark, demo report)."""

from __future__ import annotations

from collections.abc import Sequence


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]], max_cell: int | None = None) -> str:
    """Columns padded to their widest cell, a dashed rule under the header.

    ``max_cell``: longer cells keep their start and end around an ellipsis (the full text is in the
    command's JSON report), so that a terminal line stays readable.
    """
    cells = [[str(h) for h in headers], *[[_shorten(_cell(v), max_cell) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table (pipes in cells escaped)."""

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    return "\n".join(
        [
            line([str(h) for h in headers]),
            line(["---"] * len(headers)),
            *(line([_cell(v) for v in row]) for row in rows),
        ]
    )


def _shorten(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
