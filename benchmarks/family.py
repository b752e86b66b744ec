"""The whole family side by side with the legacy Model Optimizer, one run: per member, conversion time
and peak RSS (ovzoo and MO 2023.3, fresh processes), FP32 parity and FP16 top-1 agreement against MXNet,
and the paired latency ratio of ovzoo's FP32 IR against MO's, at f32 and at the CPU's default precision.

Every member's synthetic checkpoint (benchmarks/convert.py builds and caches them) goes through:

1. MO FP32 (``mo`` of the legacy venv with the descriptor's model_optimizer_args, as
   compare_legacy_mo.sh does), ovzoo FP32 alone (the like-for-like time), and ovzoo FP32+FP16 (the
   IRs the rest uses; one process writes both);
2. MXNet on ``--images`` image-like inputs (one batch), against both ovzoo IRs and MO's FP32 IR at f32
   inference: max |d prob| (required <= 1e-4, target <= 1e-5) and top-1 agreement;
3. ovzoo's and MO's FP32 IRs compiled in one process, ``--paired-rounds`` back-to-back inferences at
   f32 and, where it differs, at the CPU's default inference precision (bf16 on CPUs with AVX512-BF16
   or AMX; benchmarks/ir_speed.py): the median per-pair latency ratio ovzoo/MO with a bootstrap 95 % CI.

    build/legacy-mo-venv/bin/mo --version   # made by benchmarks/compare_legacy_mo.sh
    .venv/bin/python benchmarks/family.py [--legacy-venv build/legacy-mo-venv] [--name M[,M]]
        [--images 16] [--paired-rounds 60] [--json-out build/family.json]

MO takes 14-155 s per FP32 conversion here (resnet-200 the longest): the whole family is about
15 minutes of MO on 2 cores. ``--no-mo`` leaves MO out (ovzoo's figures only).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from convert import checkpoint_mb, family_members, runtime_rss_mb, synthetic_download_dir  # noqa: E402
from legacy_mo_compare import paired_comparison, timed  # noqa: E402
from ovzoo.catalog.loader import load_models  # noqa: E402
from ovzoo.catalog.model import Model  # noqa: E402
from ovzoo.vocabulary.spec import parse_mo_args, substitution_dirs  # noqa: E402
from support.parity import F32, compare, run_ir  # noqa: E402

PROB_LIMIT, PROB_TARGET = 1e-4, 1e-5


def convert_with_mo(
    legacy_venv: Path, model: Model, download_dir: Path, out: Path
) -> tuple[float, float, Path]:
    """MO FP32 in a fresh process: (wall s, peak RSS MB, the .xml)."""
    mo_args = list(model.model_optimizer_args)
    for key, value in substitution_dirs(model, download_dir, out).items():
        mo_args = [a.replace(f"${key}", str(value)) for a in mo_args]
    command = [
        str(legacy_venv / "bin" / "mo"),
        *mo_args,
        "--output_dir",
        str(out),
        "--model_name",
        model.name,
    ]
    wall, rss, _ = timed([*command, "--compress_to_fp16=False"])
    return wall, rss, out / f"{model.name}.xml"


def convert_with_ovzoo(model: Model, download_dir: Path, out: Path, precisions: str) -> tuple[float, float]:
    """``ovzoo convert`` in a fresh process: (wall s, peak RSS MB)."""
    command = [sys.executable, "-m", "ovzoo.cli.__main__", "convert", "--name", model.name]
    wall, rss, _ = timed([*command, "-d", str(download_dir), "-o", str(out), "--precisions", precisions])
    return wall, rss


def parity(model: Model, download_dir: Path, irs: dict[str, Path], images: int) -> dict[str, dict]:
    """Each IR against MXNet on the same image-like batch (f32 inference)."""
    from ovzoo.images import image_like_batch
    from ovzoo.mxnet.reference import MXNetReference

    spec = parse_mo_args(model, download_dir, download_dir)
    bgr = np.ascontiguousarray(image_like_batch(images, seed=0)[:, ::-1])
    # one batch, as tests/test_parity.py does (MXNet's batch-1 executor differs from it by ~1e-3 on logits)
    reference = MXNetReference.load(spec.input_symbol, spec.input_model, (len(bgr), *spec.input_shape[1:]))
    expected = reference.forward(spec.original_input(bgr))
    return {
        label: compare(run_ir(xml, bgr, F32), expected.prob, expected.logits).__dict__
        for label, xml in irs.items()
    }


def measure(model: Model, args: argparse.Namespace, work: Path) -> dict:
    download_dir = args.download_dir or synthetic_download_dir(args.cache, model.name)
    row: dict = {"model": model.name, "checkpoint_mb": checkpoint_mb(model.name)}
    row["ovzoo_fp32_s"], row["ovzoo_fp32_rss_mb"] = convert_with_ovzoo(
        model, download_dir, work / "fp32", "FP32"
    )
    row["ovzoo_s"], row["ovzoo_rss_mb"] = convert_with_ovzoo(model, download_dir, work / "ovzoo", "FP32,FP16")
    irs = {p: work / "ovzoo" / model.subdirectory / p / f"{model.name}.xml" for p in ("FP32", "FP16")}
    if not args.no_mo:
        row["mo_fp32_s"], row["mo_fp32_rss_mb"], irs["MO FP32"] = convert_with_mo(
            args.legacy_venv, model, download_dir, work / "mo"
        )
    print(
        f"{model.name}: ovzoo FP32 {row['ovzoo_fp32_s']:.1f} s {row['ovzoo_fp32_rss_mb']:.0f} MB, "
        f"FP32+FP16 {row['ovzoo_s']:.1f} s {row['ovzoo_rss_mb']:.0f} MB"
        + ("" if args.no_mo else f"; MO FP32 {row['mo_fp32_s']:.1f} s {row['mo_fp32_rss_mb']:.0f} MB"),
        flush=True,
    )
    row["parity"] = parity(model, download_dir, irs, args.images)
    if not args.no_mo:
        row["latency"] = {}
        for precision in latency_precisions():
            paired = paired_comparison(
                {"mo": irs["MO FP32"], "ovzoo": irs["FP32"]}, precision, args.paired_rounds
            )
            row["latency"][precision] = {
                "ratio": paired["latency_ratio_ovzoo_mo"],
                "ratio_95ci": paired["latency_ratio_95ci"],
                "compiled_graphs": paired["compiled_graphs"],
                "median_ms": {tool: paired[tool]["median_ms"] for tool in ("mo", "ovzoo")},
            }
    print(f"  {json.dumps(row)}", flush=True)
    return row


def latency_precisions() -> tuple[str, ...]:
    """f32, then the CPU plugin's default inference precision where it is another one."""
    import openvino as ov

    default = ov.Core().get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    return tuple(dict.fromkeys(("f32", default)))


def print_table(rows: list[dict], base_mb: float, with_mo: bool) -> None:
    head = f"{'model':27s} {'ckpt MB':>7s} {'ovzoo FP32 s':>12s} {'+FP16 s':>8s} {'peak MB':>7s} {'own/ckpt':>8s}"
    if with_mo:
        head += f" {'MO FP32 s':>9s} {'MO MB':>6s} {'faster':>7s}"
    head += f" {'FP32 max|dp|':>17s} {'FP16 top-1':>10s}"
    if with_mo:
        head += f" {'MO max|dp|':>10s}"
        for precision in rows[0]["latency"] if rows else ():
            head += f" {'latency ovzoo/MO ' + precision + ' [95% CI]':>32s}"
    print("\n" + head)
    for r in rows:
        own = (r["ovzoo_rss_mb"] - base_mb) * 2**20 / 1e6 / r["checkpoint_mb"]
        line = (
            f"{r['model']:27s} {r['checkpoint_mb']:7.1f} {r['ovzoo_fp32_s']:12.1f} {r['ovzoo_s']:8.1f} "
            f"{r['ovzoo_rss_mb']:7.0f} {own:8.2f}"
        )
        if with_mo:
            line += f" {r['mo_fp32_s']:9.1f} {r['mo_fp32_rss_mb']:6.0f} {r['mo_fp32_s'] / r['ovzoo_fp32_s']:6.0f}x"
        p32, p16 = r["parity"]["FP32"], r["parity"]["FP16"]
        mark = (
            "ok"
            if p32["max_prob_diff"] <= PROB_TARGET
            else (">target" if p32["max_prob_diff"] <= PROB_LIMIT else "FAIL")
        )
        line += f" {p32['max_prob_diff']:9.1e} {mark:>7s} {p16['top1_agreement']:10.3f}"
        if with_mo:
            line += f" {r['parity']['MO FP32']['max_prob_diff']:10.1e}"
            for paired in r["latency"].values():
                low, high = paired["ratio_95ci"]
                line += f"        {paired['ratio']:.3f} [{low:.3f}, {high:.3f}]"
        print(line)
    print(
        f"peak MB: ovzoo FP32+FP16 process; own/ckpt: (peak - {base_mb:.0f} MB runtime) / checkpoint; faster: MO FP32 / "
        f"ovzoo FP32; max|dp|: FP32 IR vs MXNet at f32 (limit {PROB_LIMIT:g}, target {PROB_TARGET:g}); "
        "latency: paired back-to-back FP32 inferences at each precision, median per-pair ratio"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy-venv", type=Path, default=REPO / "build" / "legacy-mo-venv")
    parser.add_argument("--no-mo", action="store_true", help="ovzoo's figures only")
    parser.add_argument("--name", default="", help="comma-separated members (default: every one)")
    parser.add_argument("--download-dir", type=Path, help="holds the checkpoints (default: synthesize them)")
    parser.add_argument("--cache", type=Path, default=REPO / "build" / "bench-checkpoints")
    parser.add_argument("--images", type=int, default=16)
    parser.add_argument(
        "--paired-rounds", type=int, default=60, help="back-to-back inference pairs per member"
    )
    parser.add_argument("--json-out", type=Path, default=REPO / "build" / "family.json")
    args = parser.parse_args()
    if not args.no_mo and not (args.legacy_venv / "bin" / "mo").exists():
        parser.error(
            f"no MO in {args.legacy_venv}: run benchmarks/compare_legacy_mo.sh once, or pass --no-mo"
        )
    args.cache.mkdir(parents=True, exist_ok=True)
    catalog = {m.name: m for m in load_models()}
    names = args.name.split(",") if args.name else family_members()
    base = runtime_rss_mb()
    rows = []
    for name in names:
        work = Path(tempfile.mkdtemp(prefix="ovzoo-family-", dir=REPO / "build"))
        try:
            rows.append(measure(catalog[name], args, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{len(rows)} members, synthetic checkpoints, {os.cpu_count()} CPUs, OpenVINO 2026 runs every IR")
    print_table(rows, base, not args.no_mo)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps({"runtime_rss_mb": base, "models": rows}, indent=2) + "\n")
    print(f"figures: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
