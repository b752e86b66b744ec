"""How far MXNet's own f32 forward and ovzoo's f32 IR are from an f64 forward of the same network.

A deep network with random weights can amplify f32 rounding beyond a parity limit such as 1e-5 of
the output scale on any route; this tells whether a miss is the converter's or float32's. The
Gluon/GluonCV model is exported with random weights as in compare_onnx_route.py, then run by MXNet
in f32 and, cast, in f64, and ovzoo's IR of the export runs at f32 inference precision:

    .venv/bin/python benchmarks/f64_reference.py residualattentionnet452 [--size 224]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument(
        "--size", type=int, default=None, help="input size (default: the model's native size)"
    )
    args = parser.parse_args()

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


if __name__ == "__main__":
    sys.exit(main())
