"""The OctConv family (facebookresearch/OctConv, MIT): the eight public models' exact upstream symbols.

The upstream checkpoints were built with ``mx.sym`` from pre-activation ResNet / ResNeXt / SE-ResNet
bottlenecks (:mod:`ovzoo.zoo.resnet`) or DenseNet layers (:mod:`ovzoo.zoo.densenet`) in which every
convolution is an octave convolution (:mod:`ovzoo.zoo.octave_layers`). This module holds each model's
spec and rebuilds its graph in pure Python (:mod:`ovzoo.zoo.mxsymbol`), so that no MXNet import is
needed and the ``-symbol.json`` is byte-identical to what a fresh MXNet 1.9.1 process writes.

All of them share the stem (conv 7x7/2, BN, ReLU, max-pool ``pool1``) and the head (BN-ReLU ``tail``,
global average pool, Flatten, FC ``classifier``, SoftmaxOutput ``softmax``); stage 5 runs with alpha
forced to 0 (FACTS.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ovzoo.zoo.densenet import densenet_body
from ovzoo.zoo.mxsymbol import Node, SymbolGraph, pair, parameters, to_json
from ovzoo.zoo.resnet import resnet_v2_body

Architecture = Literal["resnet", "se-resnet", "densenet"]


@dataclass(frozen=True)
class OctaveSpec:
    """One network of the family."""

    name: str
    archive: str  # upstream tar file name; it unpacks to <stem>/checkpoint-0-*
    blocks: tuple[int, int, int, int]  # bottlenecks (ResNets) or dense layers (DenseNet) in stages L2..L5
    alpha: float  # share of low-frequency channels (stage 5 always runs at 0)
    architecture: Architecture = "resnet"
    num_group: int = 1  # groups of the 3x3 convs (ResNeXt 32x4d: 32)
    stem_channels: int = 64
    mid_channels: int = 64  # ResNets: bottleneck width of stage L2, doubling per stage
    out_channels: int = 256  # ResNets: block output width of stage L2, doubling per stage
    growth_rate: int = 32  # DenseNet: channels each dense layer adds
    num_classes: int = 1000
    input_size: int = 224
    public: bool = True  # one of the eight released models (in the catalog), not a test-only member

    @property
    def stem(self) -> str:
        """The archive's top folder (the tar name without .tar)."""
        return self.archive.removesuffix(".tar")

    @property
    def checkpoint_prefix(self) -> str:
        """Member prefix of the checkpoint files inside the archive."""
        return f"{self.stem}/checkpoint-0"

    @property
    def input_shape(self) -> tuple[int, int, int, int]:
        return (1, 3, self.input_size, self.input_size)


_RESNET_50, _RESNET_101, _RESNET_200 = (3, 4, 6, 3), (3, 4, 23, 3), (3, 24, 36, 3)

OCTAVE_FAMILY: dict[str, OctaveSpec] = {
    spec.name: spec
    for spec in (
        OctaveSpec(
            "octave-densenet-121-0.125",
            "a01_densenet-121_alpha-0.125.tar",
            (6, 12, 24, 16),
            0.125,
            architecture="densenet",
        ),
        OctaveSpec("octave-resnet-26-0.25", "a02_resnet-26_alpha-0.250.tar", (2, 2, 2, 2), 0.25),
        OctaveSpec("octave-resnet-50-0.125", "a03_resnet-50_alpha-0.125.tar", _RESNET_50, 0.125),
        # ResNeXt 32x4d: 32 groups, twice ResNet's bottleneck width
        OctaveSpec(
            "octave-resnext-50-0.25",
            "a04_resnext-50_32x4d_alpha-0.250.tar",
            _RESNET_50,
            0.25,
            num_group=32,
            mid_channels=128,
        ),
        OctaveSpec(
            "octave-se-resnet-50-0.125",
            "a05_se-resnet-50_alpha-0.125.tar",
            _RESNET_50,
            0.125,
            architecture="se-resnet",
        ),
        OctaveSpec("octave-resnet-101-0.125", "a06_resnet-101_alpha-0.125.tar", _RESNET_101, 0.125),
        OctaveSpec(
            "octave-resnext-101-0.25",
            "a07_resnext-101_32x4d_alpha-0.250.tar",
            _RESNET_101,
            0.25,
            num_group=32,
            mid_channels=128,
        ),
        OctaveSpec("octave-resnet-200-0.125", "a08_resnet-200_alpha-0.125.tar", _RESNET_200, 0.125),
        # small member for a quickly trained 10-class test model (same builder, same op mix)
        OctaveSpec(
            "octave-resnet-tiny-0.25",
            "octave-resnet-tiny-0.25.tar",
            (1, 1, 1, 1),
            0.25,
            stem_channels=16,
            mid_channels=16,
            out_channels=32,
            num_classes=10,
            input_size=32,
            public=False,
        ),
    )
}
# the eight released models, as the catalog names them
PUBLIC_MODELS: tuple[str, ...] = tuple(sorted(name for name, spec in OCTAVE_FAMILY.items() if spec.public))


def _build(spec: OctaveSpec) -> list[Node]:
    """The head node list (one head: the softmax)."""
    g = SymbolGraph()
    x = g.variable("data")
    x.channels = 3
    x = g.convolution(x, spec.stem_channels, 7, 3, 2, 1, "conv1_conv")
    x = g.activation(g.batch_norm(x, "conv1_bn"), "relu", "conv1_relu")
    x = g.pooling(x, {"kernel": pair(3), "pad": pair(1), "pool_type": "max", "stride": pair(2)}, "pool1")
    body = densenet_body if spec.architecture == "densenet" else resnet_v2_body
    (top,) = body(g, x, spec)  # stage 5 is single-frequency
    assert top is not None
    x = top
    x = g.activation(g.batch_norm(x, "tail_bn"), "relu", "tail_relu")
    attrs = {"global_pool": "True", "kernel": pair(7), "pool_type": "avg", "stride": pair(1)}
    x = g.pooling(x, attrs, "global-pool")
    x = Node("Flatten", "flatten", {}, [x], channels=x.channels)
    x = g.fully_connected(x, spec.num_classes, "classifier")
    return [Node("SoftmaxOutput", "softmax", {}, [x, g.variable("softmax_label")])]


def build_symbol_json(spec: OctaveSpec) -> str:
    """The ``-symbol.json`` text, byte-identical to ``Symbol.tojson()`` of a fresh MXNet 1.9.1 process."""
    return to_json(_build(spec))


def param_shapes(spec: OctaveSpec) -> dict[str, tuple[int, ...]]:
    """Shapes of the checkpoint's arrays, keyed as stored in ``.params`` (``arg:...`` then ``aux:...``).

    Order: MXNet's ``list_arguments()`` then ``list_auxiliary_states()``, as ``save_checkpoint`` writes
    them. ``data`` and ``softmax_label`` are inputs, not parameters.
    """
    params = parameters(_build(spec))
    return {
        **{f"arg:{n.name}": n.shape for n in params if not n.aux},
        **{f"aux:{n.name}": n.shape for n in params if n.aux},
    }
