"""Conversion speed and memory: ``ovzoo convert`` (FP32 + FP16) of synthetic family checkpoints.

Each run is a fresh process (``ovzoo convert ...``), so the figures include interpreter start-up and
importing OpenVINO, as a user sees them. Wall time is measured around the process; peak RSS is its
``ru_maxrss`` (benchmarks/measure.py). The child also logs the in-process conversion time.

Memory is compared with the checkpoint's size (the descriptor's archive size) two ways: the whole
process's peak RSS, and the conversion's own share, that peak less the RSS of a process that only
imports what conversion imports (Python, numpy, OpenVINO: 60-75 MB depending on the machine, whatever
the model).

    .venv/bin/python benchmarks/convert.py [--name M[,M]|--family] [--runs 3] [--download-dir DIR] [--json]
                                           [--baseline OTHER_CHECKOUT/tools]

``--baseline`` converts every checkpoint with a second copy of the package too (another checkout's
``tools`` folder, e.g. ``git worktree add /tmp/base main``), alternating with this one run by run, so
that the two columns come from the same minutes of the same machine. The targets apply to this checkout.

Targets (2 cores): the whole process's peak RSS <= 1.5 x the checkpoint for every model, and for
octave-resnext-50-0.25 wall <= 3 s. Exit status 1 if a target is missed. A checkpoint smaller than
the runtime's own RSS / 1.5 (DenseNet's 33 MB) can't meet it in any process that imports OpenVINO;
its row says so.
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
TARGET_WALL_S = 3.0  # for MODEL
TARGET_RSS_RATIO = 1.5  # the whole process's peak RSS / checkpoint size
# what a convert process holds before it reads a checkpoint
_IMPORTS = "import openvino, ovzoo.cli.__main__, ovzoo.convert.converter, ovzoo.mxnet.frontend"


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


def run_once(
    download_dir: Path, output_dir: Path, model: str = MODEL, tools: Path | None = None
) -> dict[str, float]:
    """One ``ovzoo convert`` in a fresh process: wall seconds, peak RSS (MB), in-process seconds.

    ``tools``: import ovzoo from there instead of this checkout.
    """
    measured = run_measured(
        [
            sys.executable,
            "-m",
            "ovzoo.cli.__main__",
            "convert",
            "--name",
            model,
            "-d",
            str(download_dir),
            "-o",
            str(output_dir),
            "--precisions",
            "FP32,FP16",
        ],
        env=_environment(tools),
    )
    match = re.search(r"converted in ([0-9.]+) s", measured.output)
    return {
        "wall_s": measured.wall_s,
        "peak_rss_mb": measured.peak_rss_mb,
        "in_process_s": float(match.group(1)) if match else float("nan"),
    }


def runtime_rss_mb(tools: Path | None = None) -> float:
    """Peak RSS of a process that imports what ``ovzoo convert`` imports and converts nothing."""
    return run_measured([sys.executable, "-c", _IMPORTS], env=_environment(tools)).peak_rss_mb


def _environment(tools: Path | None) -> dict[str, str] | None:
    """The child's environment: ovzoo imported from ``tools`` (None: as this process finds it)."""
    if tools is None:
        return None
    return {**os.environ, "PYTHONPATH": str(Path(tools).resolve())}


def checkpoint_mb(model: str) -> float:
    """The checkpoint's size in MB (10^6 bytes): the descriptor's files, as downloaded."""
    from ovzoo.catalog.loader import load_models

    (found,) = [m for m in load_models() if m.name == model]
    return sum(f.size for f in found.files) / 1e6


def family_members() -> list[str]:
    """Catalog models that ``ovzoo synth`` can build, in catalog order."""
    from ovzoo.catalog.loader import load_models
    from ovzoo.zoo.octave import OCTAVE_FAMILY

    return [m.name for m in load_models() if m.name in OCTAVE_FAMILY and not m.name.endswith("-tiny")]


def measure_model(
    model: str,
    runs: int,
    cache: Path,
    download_dir: Path | None,
    base_mb: float,
    baseline: tuple[Path, float] | None = None,
) -> dict:
    """Every figure for one model (``runs`` fresh conversions of one synthetic checkpoint).

    ``baseline``: (tools folder, its runtime RSS): the same runs with that package, interleaved.
    """
    download_dir = download_dir or synthetic_download_dir(cache, model)
    measured, other = [], []
    with tempfile.TemporaryDirectory(prefix="ovzoo-bench-convert-") as out:
        for i in range(runs):
            if baseline:
                other.append(run_once(download_dir, Path(out) / f"base{i}", model, baseline[0]))
            measured.append(run_once(download_dir, Path(out) / str(i), model))
    summary = _summary(model, measured, base_mb)
    if baseline:
        summary["baseline"] = _summary(model, other, baseline[1])
    return summary


def _summary(model: str, measured: list[dict[str, float]], base_mb: float) -> dict:
    size = checkpoint_mb(model)
    peak = max(r["peak_rss_mb"] for r in measured)
    summary = {
        "model": model,
        "runs": measured,
        "checkpoint_mb": size,
        "wall_s_median": statistics.median(r["wall_s"] for r in measured),
        "in_process_s_median": statistics.median(r["in_process_s"] for r in measured),
        "peak_rss_mb_max": peak,
        "rss_ratio": peak * 2**20 / 1e6 / size,
        "own_rss_ratio": (peak - base_mb) * 2**20 / 1e6 / size,
    }
    summary["runtime_ratio"] = base_mb * 2**20 / 1e6 / size  # what no conversion process can go under
    summary["targets_met"] = summary["rss_ratio"] <= TARGET_RSS_RATIO and (
        model != MODEL or summary["wall_s_median"] <= TARGET_WALL_S
    )
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--name", default=MODEL, help=f"comma-separated models (default {MODEL})")
    which.add_argument("--family", action="store_true", help="every catalog model ovzoo synth can build")
    parser.add_argument(
        "--download-dir",
        type=Path,
        help="a download dir that already holds the checkpoints (default: synthesize them)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "build" / "bench-checkpoints",
        help="where the synthetic checkpoints are built and kept between runs",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout's tools folder: convert with it too, interleaved, for before/after figures",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    models = family_members() if args.family else args.name.split(",")
    base = runtime_rss_mb()
    # the floor of any whole-process figure: the interpreter with OpenVINO imported, nothing of ovzoo
    floor = run_measured([sys.executable, "-c", "import openvino"]).peak_rss_mb
    baseline = (args.baseline, runtime_rss_mb(args.baseline)) if args.baseline else None
    results = [measure_model(m, args.runs, args.cache, args.download_dir, base, baseline) for m in models]
    ok = all(r["targets_met"] for r in results)
    if args.json:
        print(
            json.dumps(
                {
                    "cpus": os.cpu_count(),
                    "runtime_rss_mb": base,
                    "import_openvino_rss_mb": floor,
                    "models": results,
                    "targets_met": ok,
                }
            )
        )
        return 0 if ok else 1
    print(
        f"ovzoo convert FP32+FP16, {args.runs} fresh processes per model, {os.cpu_count()} CPUs; "
        f"runtime alone (imports, no model): {base:.0f} MB"
        + (f" (baseline {baseline[0]}: {baseline[1]:.0f} MB)" if baseline else "")
        + f"; python -c 'import openvino': {floor:.0f} MB"
    )
    print(
        f"{'model':28s} {'ckpt MB':>8s} {'wall s':>7s} {'conv s':>7s} {'peak MB':>8s} "
        f"{'peak/ckpt':>9s} {'own/ckpt':>8s}"
    )
    for r in results:
        missed = "" if r["targets_met"] else "  MISSED"
        if missed and r["runtime_ratio"] > TARGET_RSS_RATIO:
            missed += f" (the runtime alone is {r['runtime_ratio']:.2f}x)"
        rows = [(r["model"], r, missed)]
        if baseline:
            rows.insert(0, ("  baseline", r["baseline"], ""))
        for label, row, mark in rows:
            print(
                f"{label:28s} {row['checkpoint_mb']:8.1f} {row['wall_s_median']:7.2f} "
                f"{row['in_process_s_median']:7.2f} {row['peak_rss_mb_max']:8.0f} {row['rss_ratio']:9.2f} "
                f"{row['own_rss_ratio']:8.2f}{mark}"
            )
    print(
        f"targets: peak RSS <= {TARGET_RSS_RATIO} x checkpoint; "
        f"{MODEL} wall <= {TARGET_WALL_S} s: {'OK' if ok else 'MISSED'} (MB = 2^20 bytes for RSS, "
        "10^6 for checkpoints; ratios in bytes)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
