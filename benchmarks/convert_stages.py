"""Peak RSS per stage of one ``ovzoo convert`` (FP32 + FP16) of a synthetic family checkpoint.

Each stage's exact peak: the kernel's high-water mark (``VmHWM``) is read at the stage's end and reset
at its start (``/proc/self/clear_refs`` "5", Linux only), so a spike inside a stage shows even when it
is gone by the end. Figures are MiB over the process's RSS once conversion's imports are done.

    .venv/bin/python benchmarks/convert_stages.py [--name octave-densenet-121-0.125] [--download-dir DIR]

With ``PYTHONPATH=OTHER_CHECKOUT/tools`` it measures another checkout (e.g. ``git worktree add /tmp/base main``).

Run it in a fresh process per model: the first stage's figure includes what the imports left.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert import synthetic_download_dir  # noqa: E402  (benchmarks/convert.py)

REPO = Path(__file__).resolve().parent.parent


def _status_mib(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"error: /proc/self/status has no {key} (Linux only)")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


class Stages:
    """Peak and end RSS of each wrapped call, in call order."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        _reset_peak()

    def mark(self, label: str) -> None:
        self.rows.append((label, _status_mib("VmHWM:"), _status_mib("VmRSS:")))
        _reset_peak()

    def wrap(self, owner: object, name: str, label: str) -> None:
        original: Callable = getattr(owner, name)

        def measured(*args, **kwargs):
            self.mark(f"before {label}")
            try:
                return original(*args, **kwargs)
            finally:
                self.mark(label)

        setattr(owner, name, measured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="octave-densenet-121-0.125")
    parser.add_argument("--download-dir", type=Path, default=REPO / "build" / "bench-checkpoints")
    args = parser.parse_args()
    download_dir = synthetic_download_dir(args.download_dir, args.name)

    import ovzoo.cli.__main__
    import ovzoo.convert.converter as converter
    import ovzoo.ir.writer as writer
    import ovzoo.mxnet.frontend  # noqa: F401  (imported by conversion: part of the floor)

    stages = Stages()
    stages.mark("imports")
    import ovzoo.optimize

    stages.wrap(converter, "translate_checkpoint", "translate")
    stages.wrap(converter, "fold_preprocessing", "preprocessing")
    stages.wrap(ovzoo.optimize, "rewrite_graph", "graph rewrites")  # imported by name at call time
    stages.wrap(converter, "compress_weights_to_fp16", "fp16 compress")
    # before the streaming writer (ovzoo 0.1.0 up to 5506e20) write_ir called ov.serialize itself
    stages.wrap(writer if hasattr(writer, "serialize") else writer.ov, "serialize", "write IR")
    with tempfile.TemporaryDirectory() as out:
        code = ovzoo.cli.__main__.run_command(
            "convert",
            ["--name", args.name, "-d", str(download_dir), "-o", out, "--precisions", "FP32,FP16"],
        )
    stages.mark("end")
    floor = stages.rows[0][2]
    print(f"{args.name}: peak RSS per stage, MiB over the {floor:.1f} MiB after imports")
    print(f"{'stage':16s} {'peak':>7s} {'own':>7s} {'RSS after':>9s}")
    for label, peak, after in stages.rows[1:]:
        if not label.startswith("before "):
            print(f"{label:16s} {peak:7.1f} {peak - floor:7.1f} {after:9.1f}")
    return code


if __name__ == "__main__":
    sys.exit(main())
