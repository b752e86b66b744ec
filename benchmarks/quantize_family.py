"""INT8 vs FP32 throughput per architecture of the family (synthetic checkpoints), side by side.

For each model (by default one per architecture: ResNet, ResNeXt, SE-ResNet, DenseNet):

1. build its synthetic checkpoint (cached, as benchmarks/convert.py does) and convert it to FP32;
2. ``quantize_model`` to FP32-INT8 with ``--subset-size`` synthetic calibration images, recording the
   time, how many narrow grouped convolutions stayed float (ovzoo.quantize.scope) and how many the
   graph rewrites merged into wider groups (ovzoo.optimize: at conversion for speed, at quantization
   to get an INT8 kernel);
3. benchmark_app (throughput hint, ``--seconds`` each): FP32 at ``-infer_precision f32``, FP32 at the
   CPU's default precision, and FP32-INT8 at the default. The IRs of every model take turns, round
   after round, and each keeps its best round, so no model always runs at a busier moment.

    .venv/bin/python benchmarks/quantize_family.py [--name M[,M]] [--seconds 5] [--rounds 2] [--subset-size 64]

Short runs: figures to compare architectures on this machine, not a target (benchmarks/quantize.py
holds the INT8 target for octave-resnext-50-0.25). Synthetic weights: the timings are real, accuracy
would mean nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from convert import synthetic_download_dir  # noqa: E402  (the convert benchmark's cached checkpoints)
from quantize import int8_instructions  # noqa: E402

DEFAULT_MODELS = (
    "octave-resnet-26-0.25",  # ResNet
    "octave-resnext-50-0.25",  # ResNeXt (narrow grouped convolutions kept float)
    "octave-se-resnet-50-0.125",  # SE-ResNet
    "octave-densenet-121-0.125",  # DenseNet
)
# (label, IR precision, benchmark_app -infer_precision)
RUNS = (("FP32", "FP32", "f32"), ("FP32", "FP32", "default"), ("FP32-INT8", "FP32-INT8", "default"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=",".join(DEFAULT_MODELS), help="comma-separated models")
    parser.add_argument("--seconds", type=float, default=5.0, help="benchmark_app duration per IR")
    parser.add_argument("--rounds", type=int, default=2, help="benchmark_app runs per IR (best kept)")
    parser.add_argument("--subset-size", type=int, default=64, help="synthetic calibration images")
    parser.add_argument(
        "--cache",
        type=Path,
        default=REPO / "build" / "bench-checkpoints",
        help="where the synthetic checkpoints are built and kept between runs",
    )
    parser.add_argument("--download-dir", type=Path, help="a download dir that already holds the checkpoints")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    import openvino as ov

    from ovzoo.benchmark import BenchmarkOptions, Timing, run_benchmark_app
    from ovzoo.catalog.loader import load_models
    from ovzoo.convert.converter import convert_model
    from ovzoo.optimize.record import read_merged_layers
    from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
    from ovzoo.vocabulary.layout import ir_path

    catalog = {m.name: m for m in load_models()}
    models = [catalog[name] for name in args.name.split(",")]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ovzoo-bench-quantize-family-", dir=REPO / "build"))
    prepared: dict[str, dict] = {}
    for model in models:
        download_dir = args.download_dir or synthetic_download_dir(args.cache, model.name)
        convert_model(model, download_dir, work, ("FP32",))
        started = time.perf_counter()
        (result,) = quantize_model(
            model, QuantizeOptions(work, work, Calibration("synthetic", args.subset_size), ("FP32-INT8",))
        )
        merged = {
            p: len(read_merged_layers(ov.Core().read_model(ir_path(work, model, p))))
            for p in ("FP32", "FP32-INT8")
        }
        prepared[model.name] = {
            "quantize_s": time.perf_counter() - started,
            "kept_float": len(result.kept_float),
            "merged_fp32": merged["FP32"],
            "merged_int8": merged["FP32-INT8"],
        }
        print(
            f"{model.name}: FP32 -> FP32-INT8 in {prepared[model.name]['quantize_s']:.1f} s "
            f"({args.subset_size} synthetic images), {len(result.kept_float)} layers kept float, "
            f"grouped convolutions merged: {merged['FP32']} in FP32, {merged['FP32-INT8']} in INT8",
            flush=True,
        )

    options = BenchmarkOptions(seconds=args.seconds, hint="throughput")
    best: dict[tuple[str, str], Timing] = {}
    for _ in range(args.rounds):
        for model in models:
            for label, precision, infer in RUNS:
                key = (model.name, f"{label}@{infer}")
                report = work / "reports" / model.name / f"{label}-{infer}"
                timing = run_benchmark_app(
                    ir_path(work, model, precision), options, infer, model.input_info[0].shape, report
                )
                if key not in best or timing.fps > best[key].fps:
                    best[key] = timing

    print(
        f"\n{'model':28s} {'FP32 f32':>9s} {'FP32 dflt':>9s} {'INT8 dflt':>9s} "
        f"{'INT8/FP32f32':>12s} {'INT8/FP32dflt':>13s} {'kept float':>10s} {'merged':>9s} {'NNCF s':>7s}"
    )
    figures = []
    for model in models:
        fps = {run: best[(model.name, run)].fps for run in ("FP32@f32", "FP32@default", "FP32-INT8@default")}
        row = {
            "model": model.name,
            "fps": fps,
            "int8_vs_fp32_f32": fps["FP32-INT8@default"] / fps["FP32@f32"],
            "int8_vs_fp32_default": fps["FP32-INT8@default"] / fps["FP32@default"],
            **prepared[model.name],
        }
        figures.append(row)
        print(
            f"{model.name:28s} {fps['FP32@f32']:9.1f} {fps['FP32@default']:9.1f} {fps['FP32-INT8@default']:9.1f} "
            f"{row['int8_vs_fp32_f32']:11.2f}x {row['int8_vs_fp32_default']:12.2f}x {row['kept_float']:10d} "
            f"{row['merged_fp32']:4d}/{row['merged_int8']:<4d} "
            f"{row['quantize_s']:7.1f}"
        )
    device = ov.Core().get_property("CPU", "FULL_DEVICE_NAME")
    print(
        f"FPS, benchmark_app -hint throughput -t {args.seconds:g}, best of {args.rounds} rounds; device: {device}; "
        f"INT8/BF16 instructions: {int8_instructions()}; load average before: {load_before}"
    )
    print("merged: grouped convolutions whose groups the graph rewrites merged, in the FP32 IR / the INT8 IR")
    if args.json:
        args.json.write_text(json.dumps({"device": device, "models": figures}, indent=2) + "\n")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
