"""Synthetic checkpoints of the family: structure, archive size, synthesis time, separation, FP16 robustness.

For each model (fresh state per model, one after the other): the symbol's node count; the synthetic
archive's size against the public one (it only matches when every array and every JSON byte is
right); the wall and CPU seconds of synthesis (weights calibrated with MXNet, then the tar written);
then, with MXNet on image-like inputs the calibration never saw, the number of distinct top-1 classes,
and what rounding every weight to FP16 does: rms logit change relative to the logits' spread across
images, and top-1 agreement.

    .venv/bin/python benchmarks/synth_family.py [--name M[,M]] [--images 32] [--json]

Targets: archive size equal to the public one, FP16 top-1 agreement >= 0.9. Exit status 1 if missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ovzoo.catalog.loader import load_models
from ovzoo.images import image_like_batch
from ovzoo.zoo.octave import OCTAVE_FAMILY, PUBLIC_MODELS, build_symbol_json
from ovzoo.zoo.synth import write_archive
from ovzoo.zoo.weights import logits, normalise, synthesize_weights

MIN_FP16_AGREEMENT = 0.9


def measure(name: str, images: int, public_size: int) -> dict[str, object]:
    spec = OCTAVE_FAMILY[name]
    wall, cpu = time.perf_counter(), time.process_time()
    arrays = synthesize_weights(spec, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        size = write_archive(spec, arrays, Path(tmp)).size
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    batch = normalise(image_like_batch(images, 0, spec.input_size))
    exact = logits(spec, arrays, batch)
    rounded = logits(spec, {k: v.astype(np.float16).astype(np.float32) for k, v in arrays.items()}, batch)
    error = float(np.sqrt(np.mean((rounded - exact) ** 2)) / exact.std(axis=0).mean())
    return {
        "model": name,
        "nodes": len(json.loads(build_symbol_json(spec))["nodes"]),
        "archive_bytes": size,
        "public_bytes": public_size,
        "synth_wall_s": round(wall, 1),
        "synth_cpu_s": round(cpu, 1),
        "distinct_top1": len(set(exact.argmax(axis=1))),
        "images": images,
        "fp16_logit_error": error,
        "fp16_top1_agreement": float(np.mean(exact.argmax(axis=1) == rounded.argmax(axis=1))),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--name", default=",".join(PUBLIC_MODELS), help="comma-separated models (default: all eight)"
    )
    parser.add_argument("--images", type=int, default=32, help="unseen image-like inputs (default 32)")
    parser.add_argument("--json", action="store_true", help="one JSON object per model instead of the table")
    args = parser.parse_args()
    sizes = {m.name: m.files[0].size for m in load_models()}
    ok = True
    if not args.json:
        print(
            "| model | nodes | archive = public | synth wall / CPU s | distinct top-1 | FP16 logit error / agreement |"
        )
        print("|---|---|---|---|---|---|")
    for name in args.name.split(","):
        r = measure(name, args.images, sizes[name])
        ok &= (
            r["archive_bytes"] == r["public_bytes"] and float(r["fp16_top1_agreement"]) >= MIN_FP16_AGREEMENT
        )
        if args.json:
            print(json.dumps(r), flush=True)
        else:
            print(
                f"| {name} | {r['nodes']} | {r['archive_bytes']:,} {'yes' if r['archive_bytes'] == r['public_bytes'] else 'NO'}"
                f" | {r['synth_wall_s']} / {r['synth_cpu_s']} | {r['distinct_top1']} of {r['images']}"
                f" | {r['fp16_logit_error']:.2%} / {r['fp16_top1_agreement']:.3f} |",
                flush=True,
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
