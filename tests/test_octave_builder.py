"""The OctConv builder: upstream census, names, MXNet byte equality, shapes and archive sizes."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.params import encoded_size
from ovzoo.zoo.octave import OCTAVE_FAMILY, build_symbol_json, param_shapes
from ovzoo.zoo.synth import write_archive

SUPPORT = Path(__file__).parent / "support" / "octave_mxnet.py"
RESNEXT = OCTAVE_FAMILY["octave-resnext-50-0.25"]
RESNET26 = OCTAVE_FAMILY["octave-resnet-26-0.25"]

# FACTS.md section 3 (octave-resnext-50-0.25)
RESNEXT_CENSUS = {
    "null": 565,
    "Convolution": 177,
    "BatchNorm": 96,
    "Activation": 96,
    "add_n": 111,
    "Pooling": 54,
    "UpSampling": 37,
    "Flatten": 1,
    "FullyConnected": 1,
    "SoftmaxOutput": 1,
}


def graph(spec_name: str) -> dict:
    return json.loads(build_symbol_json(OCTAVE_FAMILY[spec_name]))


def test_resnext_census() -> None:
    nodes = graph(RESNEXT.name)["nodes"]
    assert len(nodes) == 1139
    assert collections.Counter(n["op"] for n in nodes) == RESNEXT_CENSUS
    grouped = [n for n in nodes if n["op"] == "Convolution" and n["attrs"]["num_group"] != "1"]
    assert len(grouped) == 55
    pools = collections.Counter(
        (n["attrs"]["pool_type"], n["attrs"].get("global_pool", "False"))
        for n in nodes
        if n["op"] == "Pooling"
    )
    assert pools == {("avg", "False"): 52, ("max", "False"): 1, ("avg", "True"): 1}
    shapes = param_shapes(RESNEXT)
    assert sum(k.startswith("arg:") for k in shapes) == 371
    assert sum(k.startswith("aux:") for k in shapes) == 192
    arrays = {k: np.empty(0, np.float32) for k in shapes}  # names only; sizes below
    names_bytes = sum(8 + len(k) for k in arrays)
    data_bytes = sum(24 + 8 * len(s) + 4 * int(np.prod(s)) for s in shapes.values())
    assert 32 + names_bytes + data_bytes == 100_401_545
    assert len(build_symbol_json(RESNEXT)) == 291_679


@pytest.mark.parametrize(
    "name",
    [
        "conv1_conv",
        "conv1_bn",
        "pool1",
        "L2_B01_conv1_conv-h2h",
        "L2_B01_conv1_conv-h2l",
        "L2_B01_conv1_bn-h",
        "L2_B02_conv1_bn-l",
        "L2_B01_sum-h",
        "L2_B01_sum-l",
        "L3_B01_conv2_conv-l2l",
        "L5_B01_conv1_conv-h",
        "L5_B01_conv4_conv-l2h",
        "tail_bn",
        "tail_relu",
        "global-pool",
        "classifier",
        "softmax",
        "pooling0",
        "upsampling36",
        "elementwisesum2",
    ],
)
def test_resnext_node_names(name: str) -> None:
    assert name in {n["name"] for n in graph(RESNEXT.name)["nodes"]}


def test_heads_and_attributes() -> None:
    g = graph(RESNEXT.name)
    assert g["heads"] == [[1138, 0, 0]] and g["nodes"][1138]["name"] == "softmax"
    bn = next(n for n in g["nodes"] if n["name"] == "L3_B02_conv2_bn-l")
    assert bn["attrs"] == {"eps": "0.0001", "fix_gamma": "False", "momentum": "0.92"}
    conv = next(n for n in g["nodes"] if n["name"] == "L3_B02_conv2_conv-l2l")
    assert conv["attrs"] == {
        "kernel": "(3, 3)",
        "no_bias": "True",
        "num_filter": "64",
        "num_group": "32",
        "pad": "(1, 1)",
        "stride": "(1, 1)",
    }


@pytest.mark.parametrize("spec_name", sorted(OCTAVE_FAMILY))
def test_json_equals_fresh_mxnet_process(spec_name: str) -> None:
    ours = build_symbol_json(OCTAVE_FAMILY[spec_name])
    theirs = subprocess.run(
        [sys.executable, str(SUPPORT), spec_name], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert ours == theirs


# FACTS.md section 3: feature maps after each stage for a 224x224 input, (high, low)
STAGE_ENDS = {
    "pool1": (64, 56, 56),
    "L2_B03_sum-h": (192, 56, 56),
    "L2_B03_sum-l": (64, 28, 28),
    "L3_B04_sum-h": (384, 28, 28),
    "L3_B04_sum-l": (128, 14, 14),
    "L4_B06_sum-h": (768, 14, 14),
    "L4_B06_sum-l": (256, 7, 7),
    "tail_bn": (2048, 7, 7),
}


def test_mxnet_infers_upstream_feature_maps() -> None:
    mx = import_mxnet()
    internals = mx.sym.load_json(build_symbol_json(RESNEXT)).get_internals()
    outputs = dict(
        zip(internals.list_outputs(), internals.infer_shape(data=(1, 3, 224, 224))[1], strict=True)
    )
    for name, shape in STAGE_ENDS.items():
        assert outputs[f"{name}_output"] == (1, *shape), name
    assert outputs["softmax_output"] == (1, 1000)


@pytest.mark.parametrize("spec_name", sorted(OCTAVE_FAMILY))
def test_param_shapes_match_mxnet(spec_name: str) -> None:
    mx = import_mxnet()
    spec = OCTAVE_FAMILY[spec_name]
    symbol = mx.sym.load_json(build_symbol_json(spec))
    arg_shapes, _, aux_shapes = symbol.infer_shape(data=spec.input_shape)
    expected = {
        f"arg:{n}": tuple(s)
        for n, s in zip(symbol.list_arguments(), arg_shapes, strict=True)
        if n not in ("data", "softmax_label")
    }
    expected.update(
        {f"aux:{n}": tuple(s) for n, s in zip(symbol.list_auxiliary_states(), aux_shapes, strict=True)}
    )
    assert list(param_shapes(spec).items()) == list(expected.items())


# FACTS.md section 2: the public archives' sizes; the tar only comes out this size when every array's
# name and shape and the symbol's bytes are right (GNU records of 10240 bytes)
UPSTREAM_SIZES = {
    "octave-densenet-121-0.125": 32_983_040,
    "octave-resnet-26-0.25": 64_256_000,
    "octave-resnet-50-0.125": 102_748_160,
    "octave-resnext-50-0.25": 100_700_160,
    "octave-se-resnet-50-0.125": 112_947_200,
    "octave-resnet-101-0.125": 179_302_400,
    "octave-resnext-101-0.25": 177_950_720,
    "octave-resnet-200-0.125": 260_812_800,
}


@pytest.mark.parametrize(
    ("spec_name", "size", "params_size"),
    [(name, size, 100_401_545 if name == RESNEXT.name else None) for name, size in UPSTREAM_SIZES.items()],
)
def test_archive_has_upstream_size(
    tmp_path: Path, spec_name: str, size: int, params_size: int | None
) -> None:
    spec = OCTAVE_FAMILY[spec_name]
    arrays = {k: np.zeros(s, np.float32) for k, s in param_shapes(spec).items()}
    if params_size is not None:
        assert encoded_size(arrays) == params_size
    archive = write_archive(spec, arrays, tmp_path)
    assert archive.path == tmp_path / spec.archive
    assert archive.size == archive.path.stat().st_size == size
    with tarfile.open(archive.path) as tar:
        assert tar.getnames() == [
            spec.stem,
            f"{spec.stem}/checkpoint-0-0000.params",
            f"{spec.stem}/checkpoint-0-symbol.json",
        ]


# the names a reader of the upstream files meets: octave SE gates and DenseNet concatenations, and
# the auto-named ops of the single-frequency stage 5 (counters of a fresh process)
NEW_ARCHITECTURE_NODES = {
    "octave-se-resnet-50-0.125": {
        ("L2_B01_se_pool-l", "Pooling"),
        ("L2_B01_se_fc1-l2h", "FullyConnected"),
        ("L2_B01_se_fc1-h", "add_n"),
        ("L3_B02_se_sigmoid-l", "Activation"),
        ("L4_B06_se_expend2-l", "expand_dims"),
        ("L4_B06_se_mul-h", "broadcast_mul"),
        ("L5_B01_se_fc2-h2h", "FullyConnected"),
        ("broadcast_mul0", "broadcast_mul"),
        ("broadcast_mul2", "broadcast_mul"),
        ("elementwisesum2", "add_n"),
    },
    "octave-densenet-121-0.125": {
        ("L2_B01_concat-h", "Concat"),
        ("L2_B02_concat-l", "Concat"),
        ("L3_Trans_conv_conv-l2h", "Convolution"),
        ("L4_Trans_pool-l", "Pooling"),
        ("L5_Trans_conv_conv-h", "add_n"),
        ("L5_Trans_pool-h", "Pooling"),
        ("concat0", "Concat"),
        ("concat15", "Concat"),
    },
}


@pytest.mark.parametrize("spec_name", sorted(NEW_ARCHITECTURE_NODES))
def test_se_and_densenet_node_names(spec_name: str) -> None:
    nodes = {(n["name"], n["op"]) for n in graph(spec_name)["nodes"]}
    assert NEW_ARCHITECTURE_NODES[spec_name] <= nodes
    assert not any(name in {"concat16", "broadcast_mul3", "elementwisesum3"} for name, _ in nodes)


def test_densenet_branches_grow_by_their_share_of_the_growth_rate() -> None:
    mx = import_mxnet()
    internals = mx.sym.load_json(
        build_symbol_json(OCTAVE_FAMILY["octave-densenet-121-0.125"])
    ).get_internals()
    outputs = dict(
        zip(internals.list_outputs(), internals.infer_shape(data=(1, 3, 224, 224))[1], strict=True)
    )
    # 64 stem channels enter the high branch; each layer adds 28 high + 4 low (growth 32, alpha 0.125)
    assert outputs["L2_B02_concat-h_output"] == (1, 120, 56, 56)
    assert outputs["L2_B02_concat-l_output"] == (1, 8, 28, 28)
    assert outputs["L3_Trans_pool-h_output"] == (1, 112, 28, 28)
    assert outputs["L4_B24_concat-l_output"] == (1, 32 + 24 * 4, 7, 7)
    assert outputs["concat15_output"] == (1, 1024, 7, 7)
    assert outputs["softmax_output"] == (1, 1000)
