"""Conversion speed and memory: ``ovzoo convert`` (FP32 + FP16) of a synthetic octave-resnext-50-0.25.

Each run is a fresh process (``ovzoo convert ...``), so the figures include interpreter start-up and
importing OpenVINO, as a user sees them. Wall time is measured around the process; peak RSS is its
``ru_maxrss`` (benchmarks/measure.py). The child also logs the in-process conversion time.

    .venv/bin/python benchmarks/convert.py [--runs 3] [--download-dir DIR] [--json]

Targets (2 cores): wall <= 3 s, peak RSS <= 500 MB. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured  # noqa: E402  (benchmarks/measure.py)

REPO = Path(__file__).resolve().parent.parent
MODEL = "octave-resnext-50-0.25"
TARGET_WALL_S = 3.0
TARGET_RSS_MB = 500.0


def synthetic_download_dir(cache: Path, name: str, seed: int = 0) -> Path:
    """A download dir holding the unpacked synthetic checkpoint (built once, reused from ``cache``).

    Built by ``ovzoo synth`` in its own process, so that MXNet's memory never inflates the figures of
    the processes this one starts later.
    """
    # keyed by the builder's source too: a changed builder gives a different checkpoint
    builder = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted((REPO / "tools/ovzoo/zoo").glob("*.py")))
    )
    download_dir = cache / f"{name}-seed{seed}-{builder.hexdigest()[:12]}"
    done = download_dir / ".complete"
    if not done.exists():
        model_dir = download_dir / "public" / name
        model_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "ovzoo.cli.__main__",
                    "synth",
                    "--name",
                    name,
                    "-o",
                    tmp,
                    "--seed",
                    str(seed),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            (archive,) = Path(tmp).glob("*.tar")
            with tarfile.open(archive) as tar:
                tar.extractall(model_dir, filter="data")
        done.touch()
    return download_dir


def run_once(download_dir: Path, output_dir: Path) -> dict[str, float]:
    """One ``ovzoo convert`` in a fresh process: wall seconds, peak RSS (MB), in-process seconds."""
    measured = run_measured(
        [
            sys.executable,
            "-m",
            "ovzoo.cli.__main__",
            "convert",
            "--name",
            MODEL,
            "-d",
            str(download_dir),
            "-o",
            str(output_dir),
            "--precisions",
            "FP32,FP16",
        ]
    )
    match = re.search(r"converted in ([0-9.]+) s", measured.output)
    return {
        "wall_s": measured.wall_s,
        "peak_rss_mb": measured.peak_rss_mb,
        "in_process_s": float(match.group(1)) if match else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--download-dir",
        type=Path,
        help="a download dir that already holds the checkpoint (default: synthesize one)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "build" / "bench-checkpoints",
        help="where the synthetic checkpoint is built and kept between runs",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    download_dir = args.download_dir or synthetic_download_dir(args.cache, MODEL)
    runs = []
    with tempfile.TemporaryDirectory(prefix="ovzoo-bench-convert-") as out:
        for i in range(args.runs):
            runs.append(run_once(download_dir, Path(out) / str(i)))
    summary = {
        "model": MODEL,
        "precisions": "FP32+FP16",
        "cpus": os.cpu_count(),
        "runs": runs,
        "wall_s_median": statistics.median(r["wall_s"] for r in runs),
        "in_process_s_median": statistics.median(r["in_process_s"] for r in runs),
        "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
    }
    ok = summary["wall_s_median"] <= TARGET_WALL_S and summary["peak_rss_mb_max"] <= TARGET_RSS_MB
    if args.json:
        print(json.dumps({**summary, "targets_met": ok}))
    else:
        print(f"ovzoo convert {MODEL} FP32+FP16, {args.runs} fresh processes, {os.cpu_count()} CPUs")
        for i, r in enumerate(runs):
            print(
                f"  run {i}: wall {r['wall_s']:.2f} s (conversion {r['in_process_s']:.2f} s in-process), "
                f"peak RSS {r['peak_rss_mb']:.0f} MB"
            )
        print(
            f"  median wall {summary['wall_s_median']:.2f} s (target <= {TARGET_WALL_S} s), "
            f"max peak RSS {summary['peak_rss_mb_max']:.0f} MB (target <= {TARGET_RSS_MB:.0f} MB): "
            f"{'OK' if ok else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
