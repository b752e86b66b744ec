"""One-node (or tiny) MXNet graphs, built with mx.sym, covering every translator and the zoo's attribute mixes.

Shared by tests/test_translators.py (values vs MXNet) and tests/test_shapes.py (shapes vs MXNet).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from support.mxnet_graphs import mx

N, C, H, W = 2, 8, 10, 10
IMAGE = {"data": (N, C, H, W)}


@dataclass(frozen=True)
class TranslatorCase:
    id: str
    build: Callable[[], object]  # -> mx.sym.Symbol
    shapes: Mapping[str, tuple[int, ...]] = field(default_factory=lambda: IMAGE)
    rename_op: tuple[str, str] | None = None  # rewrite an op name in the JSON (aliases)
    atol: float = 1e-5
    rtol: float = 1e-5

    def json(self) -> str:
        """The symbol JSON our parser reads (with the alias rename applied)."""
        text = self.build().tojson()
        if self.rename_op:
            old, new = self.rename_op
            assert f'"op": "{old}"' in text
            text = text.replace(f'"op": "{old}"', f'"op": "{new}"')
        return text

    def symbol(self):
        """The same graph for MXNet (loaded back from that JSON)."""
        return mx.sym.load_json(self.json())


def data(name: str = "data"):
    return mx.sym.var(name)


def _conv(x, name: str, filters: int = C, **kwargs):
    kwargs.setdefault("kernel", (3, 3))
    kwargs.setdefault("pad", (1, 1))
    return mx.sym.Convolution(x, num_filter=filters, name=name, **kwargs)


def _zoo_bn(x, name: str):
    return mx.sym.BatchNorm(x, eps=1e-4, fix_gamma=False, momentum=0.92, name=name)


CASES: list[TranslatorCase] = [
    # Convolution
    TranslatorCase("conv-3x3-pad1-bias", lambda: _conv(data(), "conv", 6), atol=1e-4),
    TranslatorCase(
        "conv-1x1-no_bias",
        lambda: _conv(data(), "conv", 16, kernel=(1, 1), pad=(0, 0), no_bias=True),
        atol=1e-4,
    ),
    TranslatorCase(
        "conv-7x7-stride2-pad3-stem",
        lambda: _conv(data(), "conv", 4, kernel=(7, 7), stride=(2, 2), pad=(3, 3), no_bias=True),
        atol=1e-4,
    ),
    TranslatorCase(
        "conv-grouped-3x3-g4", lambda: _conv(data(), "conv", 16, num_group=4, no_bias=True), atol=1e-4
    ),
    TranslatorCase("conv-depthwise-g8-bias", lambda: _conv(data(), "conv", 8, num_group=8), atol=1e-4),
    TranslatorCase("conv-dilated-2", lambda: _conv(data(), "conv", 6, dilate=(2, 2), pad=(2, 2)), atol=1e-4),
    TranslatorCase(
        "conv-asymmetric-1x3-stride-2x1",
        lambda: _conv(data(), "conv", 6, kernel=(1, 3), pad=(0, 1), stride=(2, 1)),
        atol=1e-4,
    ),
    # BatchNorm: multiply-add path and the folds
    TranslatorCase("bn-defaults-fix_gamma-absent", lambda: mx.sym.BatchNorm(data(), name="bn")),
    TranslatorCase("bn-zoo-fix_gamma-false-eps1e-4", lambda: _zoo_bn(data(), "bn")),
    TranslatorCase("bn-on-2d", lambda: _zoo_bn(data(), "bn"), shapes={"data": (N, C)}),
    TranslatorCase("conv-bn-fold", lambda: _zoo_bn(_conv(data(), "conv", 16, no_bias=True), "bn"), atol=1e-4),
    TranslatorCase(
        "conv-bias-bn-fold-fix_gamma-absent",
        lambda: mx.sym.BatchNorm(_conv(data(), "conv", 6), name="bn"),
        atol=1e-4,
    ),
    TranslatorCase(
        "grouped-conv-bn-fold",
        lambda: _zoo_bn(_conv(data(), "conv", 16, num_group=8, no_bias=True), "bn"),
        atol=1e-4,
    ),
    TranslatorCase("bn-after-add-multiply-add", lambda: _bn_after_add(), atol=1e-4),
    TranslatorCase("conv-two-readers-no-fold", lambda: _shared_conv(), atol=1e-4),
    # Activation
    *[
        TranslatorCase(
            f"activation-{act}", lambda act=act: mx.sym.Activation(data(), act_type=act, name="act")
        )
        for act in ("relu", "sigmoid", "tanh", "softrelu", "softsign")
    ],
    # LeakyReLU
    TranslatorCase("leaky-default-slope", lambda: mx.sym.LeakyReLU(data(), name="act")),
    TranslatorCase(
        "leaky-slope-0.1", lambda: mx.sym.LeakyReLU(data(), act_type="leaky", slope=0.1, name="act")
    ),
    TranslatorCase("leaky-prelu", lambda: mx.sym.LeakyReLU(data(), act_type="prelu", name="act")),
    TranslatorCase(
        "leaky-elu-slope-0.7", lambda: mx.sym.LeakyReLU(data(), act_type="elu", slope=0.7, name="act")
    ),
    TranslatorCase("leaky-selu", lambda: mx.sym.LeakyReLU(data(), act_type="selu", name="act")),
    TranslatorCase("leaky-gelu", lambda: mx.sym.LeakyReLU(data(), act_type="gelu", name="act"), atol=1e-4),
    TranslatorCase(
        "leaky-rrelu-inference", lambda: mx.sym.LeakyReLU(data(), act_type="rrelu", name="act")[0]
    ),
    # Pooling
    TranslatorCase(
        "pool-max-3x3-s2-pad1-stem",
        lambda: mx.sym.Pooling(data(), kernel=(3, 3), stride=(2, 2), pad=(1, 1), name="pool"),
    ),
    TranslatorCase(
        "pool-avg-2x2-s2-zoo",
        lambda: mx.sym.Pooling(data(), kernel=(2, 2), stride=(2, 2), pool_type="avg", name="pool"),
    ),
    TranslatorCase(
        "pool-avg-2x2-s2-odd-input",
        lambda: mx.sym.Pooling(data(), kernel=(2, 2), stride=(2, 2), pool_type="avg", name="pool"),
        shapes={"data": (N, C, 7, 7)},
    ),
    TranslatorCase(
        "pool-global-avg",
        lambda: mx.sym.Pooling(data(), kernel=(7, 7), global_pool=True, pool_type="avg", name="pool"),
    ),
    TranslatorCase(
        "pool-global-max", lambda: mx.sym.Pooling(data(), kernel=(1, 1), global_pool=True, name="pool")
    ),
    TranslatorCase("pool-max-stride-default", lambda: mx.sym.Pooling(data(), kernel=(3, 3), name="pool")),
    TranslatorCase(
        "pool-max-full",
        lambda: mx.sym.Pooling(data(), kernel=(3, 3), stride=(2, 2), name="pool", pooling_convention="full"),
        shapes={"data": (N, C, 10, 10)},
    ),
    TranslatorCase(
        "pool-avg-full-count_include_pad-default",
        lambda: mx.sym.Pooling(
            data(),
            kernel=(3, 3),
            stride=(2, 2),
            pad=(1, 1),
            pool_type="avg",
            pooling_convention="full",
            name="pool",
        ),
    ),
    TranslatorCase(
        "pool-avg-full-count_include_pad-false",
        lambda: mx.sym.Pooling(
            data(),
            kernel=(3, 3),
            stride=(2, 2),
            pad=(1, 1),
            pool_type="avg",
            pooling_convention="full",
            count_include_pad=False,
            name="pool",
        ),
    ),
    TranslatorCase(
        "pool-avg-pad1-count_include_pad-false",
        lambda: mx.sym.Pooling(
            data(),
            kernel=(3, 3),
            stride=(2, 2),
            pad=(1, 1),
            pool_type="avg",
            count_include_pad=False,
            name="pool",
        ),
    ),
    TranslatorCase(
        "pool-avg-full-no-pad-odd",
        lambda: mx.sym.Pooling(
            data(), kernel=(2, 2), stride=(2, 2), pool_type="avg", pooling_convention="full", name="pool"
        ),
        shapes={"data": (N, C, 7, 7)},
    ),
    TranslatorCase(
        "pool-avg-full-count_include_pad-false-no-pad-odd",
        lambda: mx.sym.Pooling(
            data(),
            kernel=(2, 2),
            stride=(2, 2),
            pool_type="avg",
            count_include_pad=False,
            pooling_convention="full",
            name="pool",
        ),
        shapes={"data": (N, C, 7, 7)},
    ),
    TranslatorCase(
        "pool-avg-full-no-overflow",
        lambda: mx.sym.Pooling(
            data(), kernel=(2, 2), stride=(2, 2), pool_type="avg", pooling_convention="full", name="pool"
        ),
    ),
    # UpSampling
    TranslatorCase(
        "upsampling-nearest-x2", lambda: mx.sym.UpSampling(data(), scale=2, sample_type="nearest", name="up")
    ),
    TranslatorCase(
        "upsampling-nearest-x3-odd",
        lambda: mx.sym.UpSampling(data(), scale=3, sample_type="nearest", name="up"),
        shapes={"data": (N, C, 5, 7)},
    ),
    TranslatorCase(
        "upsampling-two-inputs-concat",
        lambda: mx.sym.UpSampling(
            data("a"), data("b"), scale=2, sample_type="nearest", num_args=2, name="up"
        ),
        shapes={"a": (N, 3, 4, 4), "b": (N, 2, 2, 2)},
    ),
    TranslatorCase(
        "upsampling-three-inputs-sum",
        lambda: mx.sym.UpSampling(
            data("a"),
            data("b"),
            data("c"),
            scale=3,
            sample_type="nearest",
            num_args=3,
            multi_input_mode="sum",
            name="up",
        ),
        shapes={"a": (N, 2, 2, 4), "b": (N, 2, 6, 12), "c": (N, 2, 1, 2)},
    ),
    # sums and products
    TranslatorCase(
        "add_n-3",
        lambda: mx.sym.add_n(data("a"), data("b"), data("c"), name="sum"),
        shapes={"a": IMAGE["data"], "b": IMAGE["data"], "c": IMAGE["data"]},
    ),
    TranslatorCase(
        "ElementWiseSum-alias",
        lambda: mx.sym.add_n(data("a"), data("b"), name="sum"),
        shapes={"a": IMAGE["data"], "b": IMAGE["data"]},
        rename_op=("add_n", "ElementWiseSum"),
    ),
    TranslatorCase(
        "elemwise_add", lambda: data("a") + data("b"), shapes={"a": IMAGE["data"], "b": IMAGE["data"]}
    ),
    TranslatorCase(
        "elemwise_mul", lambda: data("a") * data("b"), shapes={"a": IMAGE["data"], "b": IMAGE["data"]}
    ),
    TranslatorCase(
        "broadcast_add-channel-vector",
        lambda: mx.sym.broadcast_add(data("a"), data("b"), name="op"),
        shapes={"a": IMAGE["data"], "b": (1, C, 1, 1)},
    ),
    TranslatorCase(
        "broadcast_add-learned-bias",
        lambda: mx.sym.broadcast_add(data(), mx.sym.var("bias", shape=(1, C, 1, 1)), name="op"),
    ),
    TranslatorCase(
        "broadcast_mul-both-sides",
        lambda: mx.sym.broadcast_mul(data("a"), data("b"), name="op"),
        shapes={"a": (N, C, 1, W), "b": (N, 1, H, 1)},
    ),
    # shape ops
    TranslatorCase(
        "concat-dim1",
        lambda: mx.sym.Concat(data("a"), data("b"), name="cat"),
        shapes={"a": IMAGE["data"], "b": (N, 3, H, W)},
    ),
    TranslatorCase(
        "concat-dim3",
        lambda: mx.sym.Concat(data("a"), data("b"), dim=3, name="cat"),
        shapes={"a": IMAGE["data"], "b": (N, C, H, 4)},
    ),
    TranslatorCase("flatten", lambda: mx.sym.Flatten(data(), name="flat")),
    TranslatorCase(
        "fc-flatten-4d", lambda: mx.sym.FullyConnected(data(), num_hidden=5, name="fc"), atol=1e-4
    ),
    TranslatorCase(
        "fc-no_bias-2d",
        lambda: mx.sym.FullyConnected(data(), num_hidden=5, no_bias=True, name="fc"),
        shapes={"data": (N, 20)},
        atol=1e-4,
    ),
    TranslatorCase(
        "fc-flatten-false-3d",
        lambda: mx.sym.FullyConnected(data(), num_hidden=5, flatten=False, name="fc"),
        shapes={"data": (N, 3, 20)},
        atol=1e-4,
    ),
    *[
        TranslatorCase(
            f"reshape-{label}",
            lambda shape=shape, reverse=reverse: mx.sym.Reshape(
                data(), shape=shape, reverse=reverse, name="reshape"
            ),
        )
        for label, shape, reverse in [
            ("0,-1", (0, -1), False),
            ("-1,50", (-1, 50), False),
            ("0,0,-1", (0, 0, -1), False),
            ("-2", (-2,), False),
            ("0,-3,0", (0, -3, 0), False),
            ("0,-4,2,-1,-2", (0, -4, 2, -1, -2), False),
            ("reverse-0,-1", (0, -1), True),
            ("4,-1", (4, -1), False),
        ]
    ],
    *[
        TranslatorCase(
            f"expand_dims-axis{axis}", lambda axis=axis: mx.sym.expand_dims(data(), axis=axis, name="expand")
        )
        for axis in (0, 2, 4, -1, -5)
    ],
    TranslatorCase(
        "fc-flatten-default-n-c-1-1",
        lambda: mx.sym.FullyConnected(data(), num_hidden=5, name="fc"),
        shapes={"data": (N, C, 1, 1)},
        atol=1e-4,
    ),
    TranslatorCase(
        "fc-no_bias-two-inputs-n-c-1-1",
        lambda: mx.sym.FullyConnected(data(), num_hidden=5, no_bias=True, name="fc"),
        shapes={"data": (N, C, 1, 1)},
        atol=1e-4,
    ),
    TranslatorCase(
        "pool-global-kernel-larger-than-input-ignored",
        lambda: mx.sym.Pooling(data(), kernel=(14, 14), global_pool=True, pool_type="avg", name="pool"),
    ),
    TranslatorCase(
        "pool-global-no-kernel",
        lambda: mx.sym.Pooling(data(), global_pool=True, pool_type="avg", name="pool"),
    ),
    TranslatorCase("se-block-octconv", lambda: _se_block(), atol=1e-4),
    TranslatorCase(
        "concat-no-dim-three-inputs-densenet",
        lambda: mx.sym.Concat(data("a"), data("b"), data("c"), name="concat0"),
        shapes={"a": IMAGE["data"], "b": (N, 4, H, W), "c": (N, 2, H, W)},
    ),
    TranslatorCase("repeated-node-names", lambda: _repeated_names(), shapes={"act": IMAGE["data"]}),
    TranslatorCase("dropout-identity", lambda: mx.sym.Dropout(data(), p=0.5, name="drop")),
    # softmax family
    TranslatorCase(
        "SoftmaxOutput-2d", lambda: mx.sym.SoftmaxOutput(data(), name="softmax"), shapes={"data": (N, 10)}
    ),
    TranslatorCase("SoftmaxOutput-4d-flattens", lambda: mx.sym.SoftmaxOutput(data(), name="softmax")),
    TranslatorCase(
        "SoftmaxOutput-multi_output", lambda: mx.sym.SoftmaxOutput(data(), multi_output=True, name="softmax")
    ),
    TranslatorCase(
        "SoftmaxOutput-preserve_shape",
        lambda: mx.sym.SoftmaxOutput(data(), preserve_shape=True, name="softmax"),
    ),
    TranslatorCase("softmax-axis-default", lambda: mx.sym.softmax(data(), name="softmax")),
    TranslatorCase(
        "softmax-axis1-temperature2", lambda: mx.sym.softmax(data(), axis=1, temperature=2.0, name="softmax")
    ),
    TranslatorCase("SoftmaxActivation-instance", lambda: mx.sym.SoftmaxActivation(data(), name="softmax")),
    TranslatorCase(
        "SoftmaxActivation-channel", lambda: mx.sym.SoftmaxActivation(data(), mode="channel", name="softmax")
    ),
]


def _bn_after_add():
    x = data()  # one variable: two mx.sym.var("data") calls would make two inputs with one name
    return _zoo_bn(mx.sym.add_n(_conv(x, "a", no_bias=True), _conv(x, "b", no_bias=True), name="sum"), "bn")


def _shared_conv():
    conv = _conv(data(), "conv", no_bias=True)
    return mx.sym.add_n(
        _zoo_bn(conv, "bn"), mx.sym.Activation(conv, act_type="relu", name="relu"), name="sum"
    )


def _repeated_names():
    """One name on three nodes and on an input, as Gluon writes a block applied several times."""
    x = mx.sym.Activation(data("act"), act_type="relu", name="act")
    x = mx.sym.Activation(x - 0.5, act_type="relu", name="act")
    return mx.sym.Activation(x * 2, act_type="sigmoid", name="act")


def _se_block():
    """A squeeze-excitation branch as the SE-ResNet OctConv symbol writes it (upstream attribute mix)."""
    x = data()
    squeezed = mx.sym.Pooling(x, kernel=(7, 7), global_pool=True, pool_type="avg", name="se_pool")
    reduced = mx.sym.FullyConnected(squeezed, num_hidden=C // 4, no_bias=True, name="se_fc1")
    relu = mx.sym.Activation(reduced, act_type="relu", name="se_relu")
    expanded = mx.sym.FullyConnected(relu, num_hidden=C, no_bias=True, name="se_fc2")
    gate = mx.sym.Activation(expanded, act_type="sigmoid", name="se_sigmoid")
    gate = mx.sym.expand_dims(mx.sym.expand_dims(gate, axis=2, name="se_expend1"), axis=3, name="se_expend2")
    return mx.sym.broadcast_mul(x, gate)


def all_cases() -> list[TranslatorCase]:
    """The cases above plus the Gluon/GluonCV zoo's ops (support.zoo_op_cases)."""
    from support.zoo_op_cases import ZOO_CASES  # noqa: PLC0415  (it imports this module)

    return [*CASES, *ZOO_CASES]


def case_ops(case: TranslatorCase) -> set[str]:
    """The op types a case's graph contains."""
    return {node["op"] for node in json.loads(case.json())["nodes"]} - {"null"}
