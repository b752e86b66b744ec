"""``fps.png``: a bar chart of the measurements."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ovzoo.atomic import atomic_write
from ovzoo.benchmark.records import Measurement


def write_chart(measurements: Sequence[Measurement], path: Path) -> None:
    """A PNG bar chart of FPS per model, precision and inference precision (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [
        f"{m.model}\n{m.precision} ({m.infer_precision})"
        if len({x.model for x in measurements}) > 1
        else f"{m.precision}\n({m.infer_precision})"
        for m in measurements
    ]
    colours = ["tab:gray" if m.engine == "mxnet" else "tab:blue" for m in measurements]
    figure, axes = plt.subplots(figsize=(max(5.0, 1.3 * len(measurements) + 1), 4), layout="constrained")
    bars = axes.bar(range(len(measurements)), [m.fps for m in measurements], color=colours)
    axes.bar_label(
        bars,
        labels=[f"{m.fps:.1f}" + (f"\n{m.speedup:.1f}x" if m.speedup else "") for m in measurements],
        fontsize=8,
    )
    axes.set_xticks(range(len(measurements)), labels, fontsize=8)
    axes.set_ylabel(f"images per second (batch {measurements[0].batch if measurements else 1})")
    axes.set_title("OpenVINO IR (benchmark_app) vs the MXNet original")
    axes.margins(y=0.2)
    with atomic_write(path, "wb") as f:
        figure.savefig(f, format="png", dpi=100)
    plt.close(figure)
