"""Random-weight checkpoints of the Gluon and GluonCV image classifiers, exported as a user would.

``net.hybridize(); net(x); net.export(prefix)`` gives ``<prefix>-symbol.json`` and ``<prefix>-0000.params``,
the files ``mo --input_model`` took. GluonCV (tests and benchmarks only, not a user dependency) imports
beside mxnet 1.9.1 once :func:`ovzoo.mxnet.legacy.import_mxnet` has restored numpy's removed aliases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ovzoo.mxnet.legacy import import_mxnet

# mxnet.gluon.model_zoo.vision: all 34 architectures
GLUON_MODELS: tuple[str, ...] = (
    *(f"resnet{d}_v{v}" for v in (1, 2) for d in (18, 34, 50, 101, 152)),
    *(f"vgg{d}{bn}" for bn in ("", "_bn") for d in (11, 13, 16, 19)),
    "alexnet",
    *(f"densenet{d}" for d in (121, 161, 169, 201)),
    "squeezenet1.0",
    "squeezenet1.1",
    "inceptionv3",
    *(f"mobilenet{w}" for w in ("1.0", "0.75", "0.5", "0.25")),
    *(f"mobilenetv2_{w}" for w in ("1.0", "0.75", "0.5", "0.25")),
)

# gluoncv.model_zoo: the ImageNet classifiers beyond the Gluon ones (same names there are the same nets)
GLUONCV_MODELS: tuple[str, ...] = (
    *(f"resnet{d}_v1b" for d in (18, 34, 50, 101, 152)),
    *(f"resnet{d}_v1{c}" for c in "cdes" for d in (50, 101, 152)),
    "resnet50_v1b_gn",
    "resnet101_v1b_gn",
    "resnet18_v1b_0.89",
    "resnet50_v1d_0.86",
    "resnet50_v1d_0.48",
    "resnet50_v1d_0.37",
    "resnet50_v1d_0.11",
    "resnet101_v1d_0.76",
    "resnet101_v1d_0.73",
    "resnext50_32x4d",
    "resnext101_32x4d",
    "resnext101_64x4d",
    "resnext101e_64x4d",
    *(f"se_resnet{d}_v{v}" for v in (1, 2) for d in (18, 34, 50, 101, 152)),
    "se_resnext50_32x4d",
    "se_resnext101_32x4d",
    "se_resnext101_64x4d",
    "se_resnext101e_64x4d",
    "senet_154",
    "senet_154e",
    *(f"resnest{d}" for d in (14, 26, 50, 101, 200, 269)),
    "mobilenetv3_large",
    "mobilenetv3_small",
    "shufflenet_v1",
    "shufflenet_v2",
    "googlenet",
    "xception",
    "xception71",
    "darknet53",
    "dla34",
    "nasnet_4_1056",
    "nasnet_5_1538",
    "nasnet_7_1920",
    "nasnet_6_4032",
    *(f"residualattentionnet{d}" for d in (56, 92, 128, 164, 200, 236, 452)),
    *(f"hrnet_w{w}_c" for w in (18, 30, 32, 40, 44, 48, 64)),
    "hrnet_w18_small_v1_c",
    "hrnet_w18_small_v2_c",
)

# the input size each was trained for (224 unless listed)
_NATIVE_SIZE = {"inceptionv3": 299, "xception": 299, "xception71": 299, "nasnet_6_4032": 331}
# the smallest size each architecture takes (fixed-size pools and Dense layers after Flatten)
_SMALLEST_SIZE = {
    "alexnet": 64,
    **{n: 224 for n in ("resnet18_v1b_0.89", "resnet50_v1d_0.86", "resnet50_v1d_0.48", "resnet50_v1d_0.37")},
    **{n: 224 for n in ("resnet50_v1d_0.11", "resnet101_v1d_0.76", "resnet101_v1d_0.73")},
    "squeezenet1.0": 224,
    "squeezenet1.1": 224,
    "inceptionv3": 299,
    "googlenet": 224,
    "nasnet_4_1056": 224,
    "nasnet_5_1538": 224,
    "nasnet_7_1920": 224,
    "nasnet_6_4032": 331,
    "xception": 64,
    "xception71": 299,
    **{f"densenet{d}": 224 for d in (121, 161, 169, 201)},
    **{f"residualattentionnet{d}": 224 for d in (56, 92, 128, 164, 200, 236, 452)},
    "hrnet_w18_small_v1_c": 224,
    "hrnet_w18_small_v2_c": 224,
    **{f"hrnet_w{w}_c": 224 for w in (18, 30, 32, 40, 44, 48, 64)},
}


def native_size(name: str) -> int:
    return _NATIVE_SIZE.get(name, 224)


def smallest_size(name: str) -> int:
    return _SMALLEST_SIZE.get(name, 32)


@dataclass
class ExportedNet:
    """An exported checkpoint and the live network it came from (the parity reference)."""

    name: str
    symbol: Path
    params: Path
    input_shape: tuple[int, int, int, int]
    net: Any

    def forward(self, batch: np.ndarray) -> np.ndarray:
        """The network's first output (NASNet, for one, also returns its auxiliary head)."""
        mx = import_mxnet()
        out = self.net(mx.nd.array(batch))
        return (out[0] if isinstance(out, (list, tuple)) else out).asnumpy()


def build_net(name: str, classes: int = 1000) -> Any:
    """A fresh (uninitialised) network: Gluon's own zoo first, else GluonCV's."""
    import_mxnet()
    from mxnet.gluon.model_zoo import vision  # noqa: PLC0415 (mxnet needs import_mxnet first)

    if name in GLUON_MODELS:
        return vision.get_model(name, classes=classes)
    from gluoncv.model_zoo import get_model  # noqa: PLC0415 (a test and benchmark dependency only)

    return get_model(name, classes=classes) if classes != 1000 else get_model(name)


def export_random(
    name: str, folder: Path, size: int | None = None, classes: int = 1000, seed: int = 0
) -> ExportedNet:
    """Build ``name`` with random weights (BatchNorm statistics too), hybridize, run once, export.

    Files: ``<folder>/<name>-symbol.json`` and ``<folder>/<name>-0000.params``.
    """
    mx = import_mxnet()
    mx.random.seed(seed)
    size = size or smallest_size(name)
    net = build_net(name, classes)
    net.initialize(mx.init.Xavier(magnitude=2.0))
    net.hybridize()
    shape = (1, 3, size, size)
    x = mx.nd.array(np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32))
    net(x)  # creates the deferred-shape parameters
    rng = np.random.default_rng(seed + 1)
    for param_name, param in net.collect_params().items():
        data = param.data()
        if param_name.endswith(("running_mean", "moving_mean")):
            param.set_data(mx.nd.array(rng.normal(0, 0.1, data.shape)))
        elif param_name.endswith(("running_var", "moving_var")):
            param.set_data(mx.nd.array(rng.uniform(0.5, 1.5, data.shape)))
        elif param_name.endswith("gamma"):
            param.set_data(mx.nd.array(rng.uniform(0.5, 1.5, data.shape)))
        elif param_name.endswith("beta"):
            param.set_data(mx.nd.array(rng.normal(0, 0.1, data.shape)))
    net(x)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / name
    net.export(str(prefix))
    return ExportedNet(name, Path(f"{prefix}-symbol.json"), Path(f"{prefix}-0000.params"), shape, net)
