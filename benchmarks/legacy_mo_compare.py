"""ovzoo vs the legacy Model Optimizer (openvino-dev 2023.3) on the same checkpoint; run by compare_legacy_mo.sh.

Both converters get the descriptor's model_optimizer_args (MO executes them, ovzoo interprets them) and
produce FP32 and FP16 IRs. Printed side by side: conversion wall time and peak RSS (fresh processes,
benchmarks/measure.py), IR layer count, benchmark_app latency on OpenVINO 2026 (``-hint latency``, with
``-infer_precision f32`` and with the CPU's default precision; runs interleaved so that load on the
machine hits both alike; plus a paired in-process measurement) and parity of each IR against MXNet on 16 image-like inputs.
Also checks that ovzoo's IRs load and run in OpenVINO 2023.3 (the legacy venv's runtime).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from convert import synthetic_download_dir  # noqa: E402  (benchmarks/convert.py)
from ir_speed import (  # noqa: E402  (benchmarks/ir_speed.py)
    compiled_graph,
    describe_difference,
    load_seconds,
    paired_latency,
    ratio_interval,
)
from measure import run_measured  # noqa: E402  (benchmarks/measure.py)
from ovzoo.catalog.loader import load_models  # noqa: E402
from ovzoo.vocabulary.spec import parse_mo_args, substitution_dirs  # noqa: E402
from support.parity import F32, compare, run_ir  # noqa: E402

LOAD_IN_2023 = """
import json, sys, numpy as np, openvino.runtime as ov
core = ov.Core()
model = core.read_model(sys.argv[1])
compiled = core.compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
x = np.load(sys.argv[2])
print(json.dumps(compiled.create_infer_request().infer({0: x})[compiled.outputs[0]].tolist()))
"""


def timed(command: list[str]) -> tuple[float, float, str]:
    """Run ``command`` in a fresh process: (wall s, peak RSS MB, combined output). Raises on failure."""
    measured = run_measured(command)
    return measured.wall_s, measured.peak_rss_mb, measured.output


def layer_count(xml: Path) -> int:
    return sum(1 for _ in ET.parse(xml).getroot().iter("layer"))


def benchmark_latency(
    xml: Path, seconds: int, infer_precision: str | None, workdir: Path
) -> tuple[float, float]:
    """benchmark_app (median, min) latency in ms, parsed from its JSON report."""
    report = Path(tempfile.mkdtemp(dir=workdir))
    command = [
        str(Path(sys.executable).with_name("benchmark_app")),
        "-m",
        str(xml),
        "-d",
        "CPU",
        "-hint",
        "latency",
        "-t",
        str(seconds),
        "-json_stats",
        "-report_type",
        "no_counters",
        "-report_folder",
        str(report),
    ]
    if infer_precision:
        command += ["-infer_precision", infer_precision]
    timed(command)
    stats = json.loads((report / "benchmark_report.json").read_text())
    results = stats["execution_results"]
    return float(results["latency (ms)"]), float(results["min latency"])


def paired_comparison(irs: dict[str, Path], precision_hint: str | None, rounds: int) -> dict[str, object]:
    """Both IRs in one process (benchmarks/ir_speed.py): compiled graphs, load times, paired latency."""
    import openvino as ov

    config = {"PERFORMANCE_HINT": "LATENCY"}
    if precision_hint:
        config["INFERENCE_PRECISION_HINT"] = precision_hint
    core = ov.Core()
    compiled = {tool: core.compile_model(xml, "CPU", config) for tool, xml in irs.items()}
    graphs = {tool: compiled_graph(c) for tool, c in compiled.items()}
    image = np.random.default_rng(0).integers(0, 256, (1, 3, 224, 224)).astype(np.float32)
    walls = paired_latency({tool: c.create_infer_request() for tool, c in compiled.items()}, image, rounds)
    ratio, low, high = ratio_interval(walls["ovzoo"] / walls["mo"])
    loads = load_seconds(irs, config)
    figures: dict[str, object] = {
        "compiled_graphs": describe_difference(graphs["mo"], graphs["ovzoo"], ("mo", "ovzoo")),
        "rounds": rounds,
        "latency_ratio_ovzoo_mo": ratio,
        "latency_ratio_95ci": [low, high],
    }
    for tool in irs:
        figures[tool] = {
            "median_ms": float(np.median(walls[tool])),
            "best_ms": float(np.min(walls[tool])),
            **loads[tool],
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy-venv", type=Path, required=True)
    parser.add_argument("--model", default="octave-resnext-50-0.25")
    parser.add_argument("--download-dir", type=Path, help="holds the checkpoint (default: synthesize one)")
    parser.add_argument("--bench-seconds", type=int, default=10)
    parser.add_argument("--bench-rounds", type=int, default=3, help="interleaved benchmark_app rounds per IR")
    parser.add_argument("--images", type=int, default=16)
    parser.add_argument(
        "--paired-rounds", type=int, default=300, help="back-to-back inference pairs per hint"
    )
    parser.add_argument("--json-out", type=Path, default=REPO / "build" / "compare_legacy_mo.json")
    args = parser.parse_args()

    model = next(m for m in load_models() if m.name == args.model)
    cache = REPO / "build" / "bench-checkpoints"
    cache.mkdir(parents=True, exist_ok=True)
    download_dir = args.download_dir or synthetic_download_dir(cache, args.model)
    work = Path(tempfile.mkdtemp(prefix="ovzoo-vs-mo-", dir=REPO / "build"))
    results: dict[str, dict] = {"mo": {}, "ovzoo": {}}
    try:
        # -- conversion ---------------------------------------------------------------------------
        dirs = substitution_dirs(model, download_dir, work / "mo")
        mo_args = list(model.model_optimizer_args)
        for key, value in dirs.items():
            mo_args = [a.replace(f"${key}", str(value)) for a in mo_args]
        mo_irs, mo_wall, mo_rss = {}, 0.0, 0.0
        for precision in ("FP32", "FP16"):
            out = work / "mo" / precision
            wall, rss, _ = timed(
                [
                    str(args.legacy_venv / "bin" / "mo"),
                    *mo_args,
                    "--output_dir",
                    str(out),
                    "--model_name",
                    model.name,
                    f"--compress_to_fp16={precision == 'FP16'}",
                ]
            )
            print(f"mo {precision}: {wall:.1f} s, {rss:.0f} MB", flush=True)
            mo_irs[precision], mo_wall, mo_rss = out / f"{model.name}.xml", mo_wall + wall, max(mo_rss, rss)
        wall, rss, _ = timed(
            [
                sys.executable,
                "-m",
                "ovzoo.cli.__main__",
                "convert",
                "--name",
                model.name,
                "-d",
                str(download_dir),
                "-o",
                str(work / "ovzoo"),
                "--precisions",
                "FP32,FP16",
            ]
        )
        print(f"ovzoo FP32+FP16: {wall:.1f} s, {rss:.0f} MB", flush=True)
        ovzoo_irs = {
            p: work / "ovzoo" / model.subdirectory / p / f"{model.name}.xml" for p in ("FP32", "FP16")
        }
        results["mo"].update(convert_s=mo_wall, peak_rss_mb=mo_rss)
        results["ovzoo"].update(convert_s=wall, peak_rss_mb=rss)
        for tool, irs in (("mo", mo_irs), ("ovzoo", ovzoo_irs)):
            results[tool].update({f"layers_{p}": layer_count(x) for p, x in irs.items()})

        # -- parity against MXNet -------------------------------------------------------------------
        from ovzoo.images import image_like_batch
        from ovzoo.mxnet.reference import MXNetReference

        spec = parse_mo_args(model, download_dir, work)
        rgb = image_like_batch(args.images, seed=0)
        bgr = np.ascontiguousarray(rgb[:, ::-1])
        # one batch, as tests/test_parity.py does (MXNet's batch-1 executor differs from it by ~1e-3 on logits)
        reference = MXNetReference.load(
            spec.input_symbol, spec.input_model, (len(bgr), *spec.input_shape[1:])
        )
        expected = reference.forward(spec.original_input(bgr))
        ref_prob, ref_logits = expected.prob, expected.logits
        for tool, irs in (("mo", mo_irs), ("ovzoo", ovzoo_irs)):
            for precision, xml in irs.items():
                agreement = compare(run_ir(xml, bgr, F32), ref_prob, ref_logits)
                results[tool][f"parity_{precision}_f32"] = agreement.__dict__
                print(f"{tool} {precision} vs MXNet (f32 inference): {agreement.describe()}", flush=True)

        # -- ovzoo's IR in OpenVINO 2023.3 ------------------------------------------------------------
        np.save(work / "one.npy", bgr[:1])
        for precision, xml in ovzoo_irs.items():
            _, _, out = timed(
                [
                    str(args.legacy_venv / "bin" / "python"),
                    "-c",
                    LOAD_IN_2023,
                    str(xml),
                    str(work / "one.npy"),
                ]
            )
            prob_2023 = np.array(json.loads(out.strip().splitlines()[-1]))
            prob_2026 = run_ir(xml, bgr[:1], F32).prob
            diff = float(np.abs(prob_2023 - prob_2026).max())
            results["ovzoo"][f"loads_in_2023.3_{precision}"] = f"yes, max|d prob| vs 2026 {diff:.1e}"
            print(f"ovzoo {precision} IR in OpenVINO 2023.3: loads and runs, max|d prob| vs 2026 {diff:.1e}")

        # -- latency ------------------------------------------------------------------------------
        for precision_hint in ("f32", None):
            label = f"latency_ms_{precision_hint or 'default'}"
            runs: dict[str, list[float]] = {"mo": [], "ovzoo": []}
            best: dict[str, list[float]] = {"mo": [], "ovzoo": []}
            for round_ in range(args.bench_rounds):
                order = [("mo", mo_irs["FP32"]), ("ovzoo", ovzoo_irs["FP32"])]
                for tool, xml in order[:: 1 if round_ % 2 == 0 else -1]:  # alternate who goes first
                    median, minimum = benchmark_latency(xml, args.bench_seconds, precision_hint, work)
                    runs[tool].append(median)
                    best[tool].append(minimum)
            for tool in runs:
                results[tool][label] = statistics.median(runs[tool])
                results[tool][label + "_runs"] = runs[tool]
                results[tool][label + "_best"] = min(best[tool])
            print(
                f"{label} medians: mo {runs['mo']}, ovzoo {runs['ovzoo']}; "
                f"best: mo {min(best['mo'])}, ovzoo {min(best['ovzoo'])}",
                flush=True,
            )
        for precision_hint in ("f32", None):
            label = f"paired_{precision_hint or 'default'}"
            paired = paired_comparison(
                {"mo": mo_irs["FP32"], "ovzoo": ovzoo_irs["FP32"]}, precision_hint, args.paired_rounds
            )
            results["paired"] = results.get("paired", {}) | {label: paired}
            for tool in ("mo", "ovzoo"):
                results[tool][label] = paired[tool]
            print(f"{label}: {json.dumps(paired)}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # -- the table --------------------------------------------------------------------------------------
    mo, oz = results["mo"], results["ovzoo"]
    rows = [
        (
            "conversion FP32+FP16 (s)",
            f"{mo['convert_s']:.1f}",
            f"{oz['convert_s']:.1f}",
            f"ovzoo {mo['convert_s'] / oz['convert_s']:.1f}x faster (target >= 10x)",
        ),
        ("peak RSS (MB)", f"{mo['peak_rss_mb']:.0f}", f"{oz['peak_rss_mb']:.0f}", ""),
        ("IR layers FP32", str(mo["layers_FP32"]), str(oz["layers_FP32"]), ""),
        ("IR layers FP16", str(mo["layers_FP16"]), str(oz["layers_FP16"]), ""),
    ]
    for label, text in (
        ("latency_ms_f32", "latency f32 (ms, median)"),
        ("latency_ms_default", "latency default (ms, median)"),
    ):
        rows.append(
            (
                text,
                f"{mo[label]:.2f}",
                f"{oz[label]:.2f}",
                f"ratio ovzoo/mo {oz[label] / mo[label]:.3f} (target <= 1.0)",
            )
        )
        best = label + "_best"
        rows.append(
            (
                text.replace("median", "best").replace("(ms)", "(ms, best)"),
                f"{mo[best]:.2f}",
                f"{oz[best]:.2f}",
                f"ratio ovzoo/mo {oz[best] / mo[best]:.3f}",
            )
        )
    for hint in ("f32", "default"):
        label = f"paired_{hint}"
        paired = results["paired"][label]
        low, high = paired["latency_ratio_95ci"]
        rows.append(
            (
                f"paired {hint}: compiled graphs",
                "",
                "",
                paired["compiled_graphs"],
            )
        )
        rows.append(
            (
                f"paired {hint} median (ms)",
                f"{mo[label]['median_ms']:.2f}",
                f"{oz[label]['median_ms']:.2f}",
                f"ratio ovzoo/mo {paired['latency_ratio_ovzoo_mo']:.3f}, 95 % CI [{low:.3f}, {high:.3f}] "
                f"over {paired['rounds']} back-to-back pairs (target <= 1.0)",
            )
        )
        for figure, text in (("read_s", "read_model (s)"), ("compile_s", "compile_model (s)")):
            rows.append(
                (
                    f"paired {hint} {text}",
                    f"{mo[label][figure]:.3f}",
                    f"{oz[label][figure]:.3f}",
                    f"ratio ovzoo/mo {oz[label][figure] / mo[label][figure]:.2f}",
                )
            )
    for precision in ("FP32", "FP16"):
        key = f"parity_{precision}_f32"
        rows.append(
            (
                f"{precision} max|d logit| vs MXNet",
                f"{mo[key]['max_logit_diff']:.2e}",
                f"{oz[key]['max_logit_diff']:.2e}",
                "",
            )
        )
        rows.append(
            (
                f"{precision} max|d prob| vs MXNet",
                f"{mo[key]['max_prob_diff']:.2e}",
                f"{oz[key]['max_prob_diff']:.2e}",
                "",
            )
        )
        rows.append(
            (
                f"{precision} logit cosine / top-1",
                f"{mo[key]['logit_cosine']:.6f} / {mo[key]['top1_agreement']:.2f}",
                f"{oz[key]['logit_cosine']:.6f} / {oz[key]['top1_agreement']:.2f}",
                "",
            )
        )
    print(f"\n{args.model} (synthetic checkpoint), {os.cpu_count()} CPUs; OpenVINO 2026.4.1 runs both IRs")
    print(f"{'':34} {'MO 2023.3':>22} {'ovzoo':>22}")
    for name, a, b, note in rows:
        print(f"{name:34} {a:>22} {b:>22}  {note}")
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(results, indent=2))
    print(f"\nfigures: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
