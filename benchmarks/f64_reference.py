"""How far MXNet's own f32 forward and ovzoo's f32 IR are from an f64 forward of the same network.

A deep network with random weights can amplify f32 rounding beyond a parity limit such as 1e-5 of
the output scale on any route; this tells whether a miss is the converter's or float32's. The
Gluon/GluonCV model is exported with random weights as in compare_onnx_route.py, then run by MXNet
in f32 and, cast, in f64, and ovzoo's IR of the export runs at f32 inference precision:

    .venv/bin/python benchmarks/f64_reference.py residualattentionnet452 [--size 224]

A catalog model's name (an OctConv family member) measures its synthetic checkpoint instead, on the
image-like batch that benchmarks/family.py and tests/test_parity.py use, in max |d prob|: what the
family's parity figure (required <= 1e-4, target <= 1e-5) is.

    .venv/bin/python benchmarks/f64_reference.py octave-densenet-121-0.125 [--images 16]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument(
        "--size", type=int, default=None, help="input size (default: the model's native size)"
    )
    parser.add_argument("--images", type=int, default=16, help="batch size for a catalog model")
    args = parser.parse_args()
    if args.name.startswith("octave-"):
        return family_member(args.name, args.images)

    import openvino as ov

    import ovzoo
    from ovzoo.mxnet.legacy import import_mxnet
    from ovzoo.zoo.gluon import export_random, native_size

    mx = import_mxnet()
    size = args.size or native_size(args.name)
    with tempfile.TemporaryDirectory() as folder:
        exported = export_random(args.name, Path(folder), size=size)
        x = np.random.default_rng(5).uniform(-1, 1, exported.input_shape).astype(np.float32)

        def forward(data: np.ndarray, dtype: str) -> np.ndarray:
            out = exported.net(mx.nd.array(data, dtype=dtype))
            return (out[0] if isinstance(out, (list, tuple)) else out).asnumpy().astype(np.float64)

        f32 = forward(x, "float32")
        exported.net.cast("float64")
        f64 = forward(x.astype(np.float64), "float64")
        model = ovzoo.convert_model(str(exported.params), input_shape=list(exported.input_shape))
        compiled = ov.Core().compile_model(model, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        ir = compiled(x)[0].astype(np.float64)
    scale = np.abs(f64).max()
    print(f"{args.name} at {size}: max |d| / max |f64 output|, against MXNet's f64 forward")
    print(f"  MXNet f32         {np.abs(f32 - f64).max() / scale:.1e}")
    print(f"  ovzoo IR f32      {np.abs(ir - f64).max() / scale:.1e}")
    print(
        f"  ovzoo vs MXNet f32 {np.abs(ir - f32).max() / np.abs(f32).max():.1e} (what compare_onnx_route.py reports)"
    )
    return 0


def family_member(name: str, images: int) -> int:
    """MXNet f32 and ovzoo's FP32 IR against MXNet in f64, on a family member's synthetic checkpoint."""
    import openvino as ov

    from convert import synthetic_download_dir  # benchmarks/convert.py
    from ovzoo.catalog.loader import load_models
    from ovzoo.convert.converter import convert_model
    from ovzoo.images import image_like_batch
    from ovzoo.mxnet.legacy import import_mxnet
    from ovzoo.vocabulary.spec import parse_mo_args

    mx = import_mxnet()
    model = next(m for m in load_models() if m.name == name)
    download_dir = synthetic_download_dir(
        Path(__file__).resolve().parent.parent / "build" / "bench-checkpoints", name
    )
    spec = parse_mo_args(model, download_dir, download_dir)
    bgr = np.ascontiguousarray(image_like_batch(images, seed=0)[:, ::-1])
    x = spec.original_input(bgr)
    symbol = mx.sym.load(str(spec.input_symbol))
    saved = mx.nd.load(str(spec.input_model))

    def forward(dtype: str) -> np.ndarray:
        executor = symbol.simple_bind(
            mx.cpu(), grad_req="null", type_dict={spec.input_name: dtype}, **{spec.input_name: x.shape}
        )
        for key, value in saved.items():
            kind, bare = key.split(":", 1)
            target = (executor.arg_dict if kind == "arg" else executor.aux_dict)[bare]
            target[:] = value.astype(dtype)
        executor.arg_dict[spec.input_name][:] = x.astype(dtype)
        return executor.forward(is_train=False)[0].asnumpy().astype(np.float64)

    f32, f64 = forward("float32"), forward("float64")
    with tempfile.TemporaryDirectory() as folder:
        xml = convert_model(model, download_dir, Path(folder), ("FP32",)).irs["FP32"]
        compiled = ov.Core().compile_model(xml, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        ir = np.concatenate([compiled(image[None])[0] for image in bgr]).astype(np.float64)  # batch-1 IR
    print(f"{name}, {images} images: max |d prob|")
    print(f"  MXNet f32 vs MXNet f64   {np.abs(f32 - f64).max():.1e}")
    print(f"  ovzoo IR vs MXNet f64    {np.abs(ir - f64).max():.1e}")
    print(f"  ovzoo IR vs MXNet f32    {np.abs(ir - f32).max():.1e} (the family's parity figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
