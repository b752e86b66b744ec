"""What ovzoo's graph rewrites (ovzoo.optimize) buy on octave-resnext-50-0.25 (or ``--name``), side by side in one run.

1. Conversion time, fresh ``ovzoo convert`` processes, FP32+FP16: first with an empty layer cost
   cache (the conversion times at most a few layer shapes: its measuring budget), then ``ovzoo tune``
   on that IR (every shape, with care), then with the tuned cache (median of ``--convert-runs``), and
   without the rewrites (``--no_graph_rewrites``). The cache lives in the run's work dir, so the
   figures never depend on what an earlier run left in the user's cache.
2. Paired batch-1 latency of three FP32 IRs in one process: ovzoo with the rewrites, ovzoo without,
   and the legacy Model Optimizer's (openvino-dev 2023.3 in its own venv, as compare_legacy_mo.sh
   builds it), at ``INFERENCE_PRECISION_HINT=f32`` and at the CPU's default precision. The IRs run
   back to back in rotating order; each ratio is the median of per-round ratios, with a bootstrap 95 %
   interval (benchmarks/ir_speed.py).
3. PERF_COUNT per-layer times (the least disturbed of the rounds) before and after, for the layers the
   rewrite touched; and where the rewritten IR's time goes, per executed node type and kernel, at f32
   and the default precision, with the rate the convolutions multiply-add at (layers at the CPU's FMA
   peak are what no rewrite that keeps the arithmetic can speed up).
4. INT8: both FP32 IRs quantized by NNCF (synthetic calibration), and benchmark_app throughput of
   FP32 (f32) and FP32-INT8 (default precision), interleaved round after round, best round kept.

    .venv/bin/python benchmarks/graph_rewrites.py [--name MODEL] [--rounds 200] [--int8-seconds 10]
        [--int8-rounds 2] [--subset-size 300] [--tune-repeats 3] [--legacy-venv build/legacy-mo-venv]
        [--no-int8] [--download-dir DIR] [--json FILE]

Goals (issue 13): latency ovzoo / MO <= 0.9 at f32 and at the default precision; FP32-INT8 >= 2.2x
FP32 (f32) throughput; conversion with the rewrites < 3 s. Synthetic weights: timings only.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from convert import synthetic_download_dir  # noqa: E402  (benchmarks/convert.py)
from ir_speed import ratio_interval  # noqa: E402  (benchmarks/ir_speed.py)
from measure import run_measured  # noqa: E402  (benchmarks/measure.py)

MODEL = "octave-resnext-50-0.25"
GOAL_LATENCY_RATIO = 0.9
GOAL_INT8_SPEEDUP = 2.2
TARGET_CONVERT_S = 3.0


def convert_seconds(
    name: str, download_dir: Path, out: Path, extra: list[str], env: dict[str, str]
) -> tuple[float, float]:
    """(wall s, in-process conversion s) of one fresh ``ovzoo convert`` FP32+FP16."""
    command = [
        sys.executable,
        "-m",
        "ovzoo.cli.__main__",
        "convert",
        "--name",
        name,
        "-d",
        str(download_dir),
    ]
    command += ["-o", str(out), "--precisions", "FP32,FP16", *extra]
    return run_with_env(command, env)


def run_with_env(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        measured = run_measured(command)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    match = re.search(r"converted in ([0-9.]+) s", measured.output)
    log = [line for line in measured.output.splitlines() if line.startswith("group merge:")]
    for line in log:
        print(f"    {line}")
    return measured.wall_s, float(match.group(1)) if match else float("nan")


def mo_ir(model, download_dir: Path, legacy_venv: Path, work: Path) -> Path:
    """The legacy MO's FP32 IR of the checkpoint (converted once, kept beside the checkpoint)."""
    from ovzoo.vocabulary.spec import substitution_dirs

    out = download_dir.parent / f"{download_dir.name}-mo-FP32"
    xml = out / f"{model.name}.xml"
    if xml.is_file():
        return xml
    mo = legacy_venv / "bin" / "mo"
    if not mo.is_file():
        raise SystemExit(f"no {mo}: run benchmarks/compare_legacy_mo.sh once (it builds the legacy venv)")
    args = list(model.model_optimizer_args)
    for key, value in substitution_dirs(model, download_dir, work).items():
        args = [a.replace(f"${key}", str(value)) for a in args]
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(dir=download_dir.parent))
    command = [
        str(mo),
        *args,
        "--output_dir",
        str(tmp),
        "--model_name",
        model.name,
        "--compress_to_fp16=False",
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    tmp.rename(out)
    print(f"legacy MO conversion (once): {time.perf_counter() - started:.0f} s", flush=True)
    return xml


def paired_latency(compiled: dict, rounds: int) -> dict[str, np.ndarray]:
    """Wall ms of single inferences, all IRs once per round, in an order that rotates every round."""
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 224, 224)).astype(np.float32)
    requests = {k: c.create_infer_request() for k, c in compiled.items()}
    for request in requests.values():
        request.set_input_tensor(ov_tensor(x))
        for _ in range(3):
            request.infer()
    order = list(requests)
    walls: dict[str, list[float]] = {k: [] for k in requests}
    for _ in range(rounds):
        for key in order:
            started = time.perf_counter()
            requests[key].infer()
            walls[key].append((time.perf_counter() - started) * 1000)
        order = order[1:] + order[:1]
    return {k: np.array(v) for k, v in walls.items()}


def ov_tensor(x: np.ndarray):
    import openvino as ov

    return ov.Tensor(x)


def layer_times(compiled: dict, rounds: int) -> dict[str, dict[str, float]]:
    """Per IR: node name -> its least disturbed PERF_COUNT time (ms) over ``rounds`` interleaved inferences."""
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 224, 224)).astype(np.float32)
    requests = {k: c.create_infer_request() for k, c in compiled.items()}
    best: dict[str, dict[str, float]] = {k: collections.defaultdict(lambda: float("inf")) for k in requests}
    for i in range(rounds):
        for key in requests if i % 2 == 0 else reversed(list(requests)):
            requests[key].infer({0: x})
            for info in requests[key].profiling_info:
                ms = info.real_time.total_seconds() * 1000
                best[key][info.node_name] = min(best[key][info.node_name], ms)
    return {k: dict(v) for k, v in best.items()}


def convolution_macs_by_name(model) -> dict[str, int]:
    """(Group)Convolution friendly name -> its multiply-adds per inference, merged zero blocks included."""
    from ovzoo.validate.cost import convolution_macs

    kinds = ("Convolution", "GroupConvolution")
    return {
        n.get_friendly_name(): convolution_macs(n)
        for n in model.get_ordered_ops()
        if n.get_type_name() in kinds
    }


@dataclass
class KernelTime:
    """One 'node type / kernel' of a compiled model: its nodes' summed least disturbed PERF_COUNT time."""

    ms: float = 0.0
    nodes: int = 0
    macs: int = 0  # multiply-adds of its convolution nodes (0 for the rest)
    fastest_gmacs_per_s: float = 0.0  # the rate of its fastest node (the kernel's best on this CPU)

    @property
    def gmacs_per_s(self) -> float:
        return self.macs / self.ms / 1e6 if self.ms and self.macs else float("nan")


def time_breakdown(compiled, rounds: int, macs: dict[str, int]) -> dict[str, KernelTime]:
    """'node type / kernel' -> its nodes' least disturbed PERF_COUNT time (and, for convolutions, the
    rate they multiply-add at: the CPU's FMA peak is what no rewrite keeping the arithmetic can pass)."""
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 224, 224)).astype(np.float32)
    request = compiled.create_infer_request()
    best: dict[str, float] = collections.defaultdict(lambda: float("inf"))
    kind: dict[str, str] = {}
    for _ in range(rounds):
        request.infer({0: x})
        for info in request.profiling_info:
            if info.status == info.Status.EXECUTED:
                best[info.node_name] = min(best[info.node_name], info.real_time.total_seconds() * 1000)
                kind[info.node_name] = f"{info.node_type} / {info.exec_type}"
    totals: dict[str, KernelTime] = collections.defaultdict(KernelTime)
    for name, ms in best.items():
        entry = totals[kind[name]]
        entry.ms += ms
        entry.nodes += 1
        entry.macs += macs.get(name, 0)
        if ms > 0:
            entry.fastest_gmacs_per_s = max(entry.fastest_gmacs_per_s, macs.get(name, 0) / ms / 1e6)
    return dict(sorted(totals.items(), key=lambda kv: -kv[1].ms))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=MODEL, help=f"a catalog model (default {MODEL})")
    parser.add_argument("--rounds", type=int, default=200, help="paired latency rounds per precision")
    parser.add_argument("--tune-repeats", type=int, default=3)
    parser.add_argument("--perf-rounds", type=int, default=40)
    parser.add_argument("--convert-runs", type=int, default=3)
    parser.add_argument("--int8-seconds", type=float, default=10.0)
    parser.add_argument("--int8-rounds", type=int, default=2)
    parser.add_argument("--subset-size", type=int, default=300)
    parser.add_argument("--no-int8", action="store_true")
    parser.add_argument("--legacy-venv", type=Path, default=REPO / "build" / "legacy-mo-venv")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "bench-checkpoints")
    parser.add_argument(
        "--download-dir", type=Path, default=None, help="a download dir holding the checkpoint"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    import openvino as ov

    from ovzoo.benchmark.app import run_benchmark_app
    from ovzoo.benchmark.records import BenchmarkOptions
    from ovzoo.catalog.loader import load_model_file
    from ovzoo.optimize.record import read_merged_layers
    from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
    from ovzoo.vocabulary.layout import ir_path

    core = ov.Core()
    default_precision = core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    load = [" ".join(f"{x:.2f}" for x in os.getloadavg())]
    model = load_model_file(REPO / "models" / args.name / "model.yml")
    args.cache.mkdir(parents=True, exist_ok=True)
    download_dir = args.download_dir or synthetic_download_dir(args.cache, model.name)
    work = Path(tempfile.mkdtemp(prefix="ovzoo-bench-rewrites-", dir=REPO / "build"))
    figures: dict = {"model": model.name, "device": core.get_property("CPU", "FULL_DEVICE_NAME")}
    figures["default_precision"] = default_precision

    # -- 1. conversion ----------------------------------------------------------------------------
    cache_env = {"OVZOO_CACHE_DIR": str(work / "cache")}
    os.environ.update(cache_env)  # ovzoo quantize (in this process, step 4) reads the same cache
    print(f"{model.name}: first conversion, empty layer cost cache:")
    cold = convert_seconds(model.name, download_dir, work / "cold", [], cache_env)
    cold_xml = ir_path(work / "cold", model, "FP32")
    tune_command = [sys.executable, "-m", "ovzoo.cli.__main__", "tune", str(cold_xml)]
    tune_s, _ = run_with_env([*tune_command, "--repeats", str(args.tune_repeats)], cache_env)
    runs = {"rewrites": [], "no_rewrites": []}
    for i in range(args.convert_runs):
        if i == 0:
            print("tuned cache:")
        runs["rewrites"].append(convert_seconds(model.name, download_dir, work / "merged", [], cache_env))
        runs["no_rewrites"].append(
            convert_seconds(model.name, download_dir, work / "plain", ["--no_graph_rewrites"], cache_env)
        )
    figures["convert"] = {
        "cold_cache": {"wall_s": cold[0], "in_process_s": cold[1]},
        "tune_s": tune_s,
        **{
            k: {
                "wall_s_median": float(np.median([r[0] for r in v])),
                "in_process_s_median": float(np.median([r[1] for r in v])),
            }
            for k, v in runs.items()
        },
    }
    c = figures["convert"]
    print(f"device {figures['device']}, default inference precision {default_precision}")
    print(
        f"convert FP32+FP16, fresh processes, median of {args.convert_runs}: with rewrites "
        f"{c['rewrites']['wall_s_median']:.2f} s wall ({c['rewrites']['in_process_s_median']:.2f} s in-process), "
        f"without {c['no_rewrites']['wall_s_median']:.2f} s ({c['no_rewrites']['in_process_s_median']:.2f} s); "
        f"first conversion on this machine (empty layer cost cache): {cold[0]:.2f} s wall "
        f"({cold[1]:.2f} s in-process); ovzoo tune of every shape ({args.tune_repeats} repeats): "
        f"{tune_s:.1f} s wall; target with rewrites < {TARGET_CONVERT_S} s"
    )

    xmls = {
        "rewrites": ir_path(work / "merged", model, "FP32"),
        "no_rewrites": ir_path(work / "plain", model, "FP32"),
        "mo": mo_ir(model, download_dir, args.legacy_venv, work / "mo"),
    }
    merged = read_merged_layers(core.read_model(xmls["rewrites"]))
    figures["merged_layers"] = {name: f"{m.groups}->{m.merged_groups}" for name, m in merged.items()}
    print(
        f"rewritten: {len(merged)} GroupConvolutions merged: {dict(collections.Counter(figures['merged_layers'].values()))}"
    )

    # -- 2. paired latency ------------------------------------------------------------------------
    figures["latency"] = {}
    for precision in dict.fromkeys(("f32", default_precision)):
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision}
        compiled = {k: core.compile_model(core.read_model(x), "CPU", config) for k, x in xmls.items()}
        walls = paired_latency(compiled, args.rounds)
        entry = {k: {"median_ms": float(np.median(v)), "min_ms": float(v.min())} for k, v in walls.items()}
        for a, b in (("rewrites", "mo"), ("no_rewrites", "mo"), ("rewrites", "no_rewrites")):
            ratio, low, high = ratio_interval(walls[a] / walls[b])
            entry[f"{a}/{b}"] = {"median": ratio, "ci95": [low, high]}
        figures["latency"][precision] = entry
        print(
            f"latency at {precision}, {args.rounds} rounds: median ms rewrites {entry['rewrites']['median_ms']:.2f}, "
            f"no rewrites {entry['no_rewrites']['median_ms']:.2f}, MO {entry['mo']['median_ms']:.2f} "
            f"(min {entry['rewrites']['min_ms']:.2f} / {entry['no_rewrites']['min_ms']:.2f} / {entry['mo']['min_ms']:.2f})"
        )
        for key in ("rewrites/mo", "no_rewrites/mo", "rewrites/no_rewrites"):
            low, high = entry[key]["ci95"]
            print(f"  paired ratio {key:21s} {entry[key]['median']:.3f} (95 % CI {low:.3f}-{high:.3f})")
        load.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))

    # -- 3. per-layer times -----------------------------------------------------------------------
    config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32", "PERF_COUNT": True}
    pair = {
        k: core.compile_model(core.read_model(xmls[k]), "CPU", config) for k in ("no_rewrites", "rewrites")
    }
    times = layer_times(pair, args.perf_rounds)
    rows = {
        name: (times["no_rewrites"].get(name, float("nan")), times["rewrites"].get(name, float("nan")))
        for name in merged
    }
    figures["perf_count_f32_ms"] = {name: {"before": b, "after": a} for name, (b, a) in rows.items()}
    print(
        f"PERF_COUNT at f32, least disturbed of {args.perf_rounds} rounds, touched layers (ms before -> after):"
    )
    for name, (before, after) in rows.items():
        print(f"  {name:28s} {figures['merged_layers'][name]:>7s}  {before:6.3f} -> {after:6.3f}")
    total = [sum(r[i] for r in rows.values()) for i in (0, 1)]
    all_nodes = [sum(times[k].values()) for k in ("no_rewrites", "rewrites")]
    print(
        f"  touched layers total {total[0]:.2f} -> {total[1]:.2f} ms; all nodes {all_nodes[0]:.2f} -> {all_nodes[1]:.2f} ms"
    )
    figures["perf_count_totals_ms"] = {"touched": total, "all_nodes": all_nodes}
    # one disturbed layer can swing the totals on a loaded machine; the median per-layer ratio can't
    per_layer = (
        float(np.median([after / before for before, after in rows.values()])) if rows else float("nan")
    )
    figures["perf_count_median_layer_ratio"] = per_layer
    print(f"  median per-layer time ratio after/before over the {len(rows)} touched layers: {per_layer:.3f}")
    figures["perf_count_breakdown_ms"] = {}
    for precision in dict.fromkeys(("f32", default_precision)):
        config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision, "PERF_COUNT": True}
        rewritten = core.read_model(xmls["rewrites"])
        breakdown = time_breakdown(
            core.compile_model(rewritten, "CPU", config),
            args.perf_rounds,
            convolution_macs_by_name(rewritten),
        )
        figures["perf_count_breakdown_ms"][precision] = {
            key: {"ms": k.ms, "nodes": k.nodes, "macs": k.macs, "fastest_gmacs_per_s": k.fastest_gmacs_per_s}
            for key, k in breakdown.items()
        }
        whole = sum(k.ms for k in breakdown.values())
        print(f"where the rewritten IR's time goes at {precision} (PERF_COUNT, sum {whole:.2f} ms):")
        for key, k in breakdown.items():
            if k.ms >= 0.005 * whole:
                rate = (
                    f"  {k.macs / 1e6:7.1f} MMAC at {k.gmacs_per_s:5.1f} GMAC/s (fastest node {k.fastest_gmacs_per_s:5.1f})"
                    if k.macs
                    else ""
                )
                print(f"  {100 * k.ms / whole:5.1f} %  {k.ms:6.2f} ms  {k.nodes:3d} nodes  {key}{rate}")

    # -- 4. INT8 ----------------------------------------------------------------------------------
    ok = c["rewrites"]["wall_s_median"] < TARGET_CONVERT_S
    for precision in figures["latency"]:
        ok = ok and figures["latency"][precision]["rewrites/mo"]["median"] <= GOAL_LATENCY_RATIO
    if not args.no_int8:
        calibration = Calibration("synthetic", args.subset_size)
        for variant in ("plain", "merged"):
            quantize_model(
                model, QuantizeOptions(work / variant, work / variant, calibration, ("FP32-INT8",))
            )
        options = BenchmarkOptions(seconds=args.int8_seconds, hint="throughput")
        runs_int8 = (
            ("FP32", "plain", "f32"),
            ("FP32", "merged", "f32"),
            ("FP32-INT8", "plain", "default"),
            ("FP32-INT8", "merged", "default"),
        )
        fps: dict[str, float] = {}
        for _ in range(args.int8_rounds):
            for precision, variant, infer in runs_int8:
                key = f"{precision} {variant} @{infer}"
                xml = ir_path(work / variant, model, precision)
                timing = run_benchmark_app(
                    xml, options, infer, model.input_info[0].shape, work / "reports" / key.replace(" ", "_")
                )
                fps[key] = max(fps.get(key, 0.0), timing.fps)
        figures["throughput_fps"] = fps
        base = fps["FP32 plain @f32"]
        speedups = {k: v / base for k, v in fps.items()}
        figures["throughput_vs_fp32_plain_f32"] = speedups
        print(
            f"throughput (benchmark_app -hint throughput -t {args.int8_seconds:g}, best of {args.int8_rounds}):"
        )
        for key, value in fps.items():
            print(f"  {key:28s} {value:7.1f} FPS  {speedups[key]:.2f}x FP32 (f32) without rewrites")
        print(
            f"  FP32-INT8 with rewrites vs FP32 (f32): {speedups['FP32-INT8 merged @default']:.2f}x "
            f"(goal >= {GOAL_INT8_SPEEDUP}x); vs FP32 (f32) with rewrites: "
            f"{fps['FP32-INT8 merged @default'] / fps['FP32 merged @f32']:.2f}x"
        )
        ok = ok and speedups["FP32-INT8 merged @default"] >= GOAL_INT8_SPEEDUP
    load.append(" ".join(f"{x:.2f}" for x in os.getloadavg()))
    figures["load_average"] = load
    print(
        f"load average (1/5/15 min) at start and after each step: {' | '.join(load)} on {os.cpu_count()} CPUs"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
