"""Checkpoints for conversion tests, laid out as ``ovzoo download`` leaves them.

- :func:`tiny_checkpoint`: a small MXNet network (built with ``mx.sym``, weights saved with ovzoo's own
  writer) using every op family of the OctConv models, with a matching descriptor. Builds in well under
  a second; for fast tests.
- :func:`synthetic_checkpoint`: the exact upstream architecture of a catalog model (``ovzoo.zoo.synth``),
  built once per test session (per process) into a temporary directory and shared by every test that
  asks for it. Returns the *download dir*: ``<dir>/public/<name>/<tar stem>/checkpoint-0-*``.
"""

from __future__ import annotations

import atexit
import shutil
import tarfile
import tempfile
import threading
from dataclasses import replace
from pathlib import Path, PurePosixPath

import numpy as np

from ovzoo.catalog.model import Checksum, Model, ModelFile, TensorInfo

TINY_NAME = "tiny-octave"
TINY_ARGS = (
    "--reverse_input_channels",
    "--mean_values=data[124,117,104]",
    "--scale_values=data[59.880239521]",
    "--input_shape=[1,3,32,32]",
    "--input=data",
    "--output=softmax",
    "--input_model=$dl_dir/tiny/checkpoint-0-0000.params",
)
TINY_CLASSES = 10


def tiny_model(args: tuple[str, ...] = TINY_ARGS, name: str = TINY_NAME) -> Model:
    """A descriptor for :func:`tiny_checkpoint` (files are not downloaded in these tests)."""
    source = ModelFile(
        name=PurePosixPath("tiny.tar"),
        size=1,
        checksum=Checksum("sha384", "ab" * 48),
        source="https://example.invalid/tiny.tar",
    )
    return Model(
        name=name,
        subdirectory=PurePosixPath("public") / name,
        description="tiny test model",
        task_type="classification",
        framework="mxnet",
        license_url="https://example.invalid/LICENSE",
        files=(source,),
        input_info=(TensorInfo("data", (1, 3, 32, 32), "NCHW"),),
        output_info=(TensorInfo("prob", (1, TINY_CLASSES)),),
        model_optimizer_args=args,
    )


def tiny_descriptor_yaml(model: Model) -> str:
    """A model.yml for :func:`tiny_model`, as the catalog loader reads it."""
    args = "\n".join(f"  - {a}" for a in model.model_optimizer_args)
    return f"""description: tiny test model
task_type: classification
files:
  - name: tiny.tar
    size: 1
    checksum: {"ab" * 48}
    source: https://example.invalid/tiny.tar
model_optimizer_args:
{args}
input_info:
  - {{name: data, shape: [1, 3, 32, 32], layout: NCHW}}
output_info:
  - {{name: prob, shape: [1, 10]}}
framework: mxnet
license: https://example.invalid/LICENSE
"""


def tiny_checkpoint(download_dir: Path, seed: int = 0, name: str = TINY_NAME) -> Path:
    """Write the tiny checkpoint under ``download_dir/public/<name>/tiny/``; returns the .params path."""
    from ovzoo.mxnet.legacy import import_mxnet
    from ovzoo.mxnet.params import save_params

    mx = import_mxnet()
    data = mx.sym.Variable("data")
    x = mx.sym.Convolution(
        data, num_filter=8, kernel=(7, 7), stride=(2, 2), pad=(3, 3), no_bias=True, name="conv1_conv"
    )
    x = mx.sym.BatchNorm(x, fix_gamma=False, eps=1e-4, name="conv1_bn")
    x = mx.sym.Activation(x, act_type="relu", name="conv1_relu")
    high = mx.sym.Pooling(x, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max", name="pool1")
    low = mx.sym.Pooling(high, kernel=(2, 2), stride=(2, 2), pool_type="avg", name="h2l_pool")
    low = mx.sym.Convolution(
        low, num_filter=4, kernel=(3, 3), pad=(1, 1), num_group=4, no_bias=True, name="b1_conv-h2l"
    )
    high = mx.sym.Convolution(
        high, num_filter=8, kernel=(3, 3), pad=(1, 1), num_group=2, no_bias=True, name="b1_conv-h2h"
    )
    l2h = mx.sym.Convolution(low, num_filter=8, kernel=(1, 1), no_bias=True, name="b1_conv-l2h")
    l2h = mx.sym.UpSampling(l2h, scale=2, sample_type="nearest", name="b1_up")
    high = mx.sym.ElementWiseSum(high, l2h, name="b1_conv-h")
    high = mx.sym.BatchNorm(high, fix_gamma=False, eps=1e-4, name="b1_bn")
    high = mx.sym.Activation(high, act_type="relu", name="b1_relu")
    x = mx.sym.Pooling(high, kernel=(1, 1), global_pool=True, pool_type="avg", name="pool5")
    x = mx.sym.Flatten(x, name="flatten")
    x = mx.sym.FullyConnected(x, num_hidden=TINY_CLASSES, name="classifier")
    net = mx.sym.SoftmaxOutput(x, name="softmax")

    rng = np.random.default_rng(seed)
    arg_shapes, _, aux_shapes = net.infer_shape(data=(1, 3, 32, 32))
    arrays: dict[str, np.ndarray] = {}
    for arg, shape in zip(net.list_arguments(), arg_shapes, strict=True):
        if arg in ("data", "softmax_label"):
            continue
        if arg.endswith("_weight"):
            fan_in = int(np.prod(shape[1:]))
            value = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        elif arg.endswith("_gamma"):
            value = rng.uniform(0.5, 1.5, shape)
        else:  # beta, bias
            value = rng.uniform(-0.2, 0.2, shape)
        arrays[f"arg:{arg}"] = value.astype(np.float32)
    for aux, shape in zip(net.list_auxiliary_states(), aux_shapes, strict=True):
        value = rng.uniform(-0.5, 0.5, shape) if aux.endswith("_mean") else rng.uniform(0.5, 2.0, shape)
        arrays[f"aux:{aux}"] = value.astype(np.float32)

    folder = Path(download_dir) / "public" / name / "tiny"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checkpoint-0-symbol.json").write_text(net.tojson())
    params = folder / "checkpoint-0-0000.params"
    save_params(params, arrays)
    return params


# -- synthetic upstream-architecture checkpoints, one build per process ------------------------------

_lock = threading.Lock()
_built: dict[str, Path] = {}
_root: Path | None = None


def _session_root() -> Path:
    global _root
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="ovzoo-synthetic-"))
        atexit.register(shutil.rmtree, _root, True)
    return _root


def synthetic_checkpoint(name: str, seed: int = 0) -> Path:
    """Download dir holding the synthetic checkpoint of catalog model ``name``, unpacked as after download.

    Built once per process (shared by every test of the session), in a temporary directory removed at exit.
    """
    from ovzoo.zoo.synth import synthesize_archive

    key = f"{name}@{seed}"
    with _lock:
        if key not in _built:
            download_dir = _session_root() / key
            model_dir = download_dir / "public" / name
            model_dir.mkdir(parents=True)
            archive = synthesize_archive(name, _session_root() / f"{key}-archive", seed=seed)
            with tarfile.open(archive.path) as tar:
                tar.extractall(model_dir, filter="data")
            _built[key] = download_dir
        return _built[key]


def catalog_model(name: str) -> Model:
    """The catalog's descriptor for ``name`` (the repository's models/)."""
    from ovzoo.catalog.loader import load_models

    model = next((m for m in load_models() if m.name == name), None)
    if model is None:
        raise LookupError(f"{name} is not in the catalog")
    return model


def with_args(model: Model, args: tuple[str, ...]) -> Model:
    return replace(model, model_optimizer_args=args)
