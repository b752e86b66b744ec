"""Translator cases for the ops the Gluon and GluonCV image classifiers use (issue 10), built with mx.sym.

Appended to ``support.translator_cases.CASES``; each is checked against MXNet's own forward pass
and shape inference.
"""

from __future__ import annotations

from support.mxnet_graphs import mx
from support.shape_op_cases import SHAPE_CASES
from support.translator_cases import IMAGE, C, H, N, TranslatorCase, W, data

TWO = {"a": IMAGE["data"], "b": IMAGE["data"]}
BROADCAST = {"a": (N, C, H, W), "b": (N, C, 1, 1)}


def positive():
    """|x| + 0.5: an input inside the domain of log, sqrt, rsqrt, reciprocal and fractional powers."""
    return mx.sym.abs(data()) + 0.5


def _unary_cases() -> list[TranslatorCase]:
    on_any = [
        "abs",
        "ceil",
        "erf",
        "exp",
        "floor",
        "negative",
        "relu",
        "sigmoid",
        "softsign",
        "square",
        "tanh",
    ]
    on_positive = ["log", "reciprocal", "rsqrt", "sqrt"]
    cases = [
        TranslatorCase(f"unary-{op}", lambda op=op: getattr(mx.sym, op)(data(), name="op")) for op in on_any
    ]
    cases += [
        TranslatorCase(f"unary-{op}-positive", lambda op=op: getattr(mx.sym, op)(positive(), name="op"))
        for op in on_positive
    ]
    return cases


def _scalar_cases() -> list[TranslatorCase]:
    x = data
    return [
        TranslatorCase("scalar-plus", lambda: x() + 3),
        TranslatorCase("scalar-minus", lambda: x() - 0.25),
        TranslatorCase("scalar-rminus", lambda: 1 - x()),
        TranslatorCase("scalar-mul", lambda: x() * 0.1),
        TranslatorCase("scalar-div", lambda: x() / 6),
        TranslatorCase("scalar-rdiv", lambda: 2 / positive()),
        TranslatorCase("scalar-power-2", lambda: x() ** 2),
        TranslatorCase("scalar-power-fractional", lambda: positive() ** 0.5),
        TranslatorCase("scalar-rpower", lambda: 2 ** x()),
        TranslatorCase("scalar-maximum", lambda: mx.sym.maximum(x(), 0.3)),
        TranslatorCase("scalar-minimum", lambda: mx.sym.minimum(x(), -0.3)),
        TranslatorCase("scalar-greater", lambda: x() > 0.1),
        TranslatorCase("scalar-greater_equal", lambda: mx.sym.floor(x() * 2) >= 1),
        TranslatorCase("scalar-lesser", lambda: x() < 0.1),
        TranslatorCase("scalar-lesser_equal", lambda: mx.sym.floor(x() * 2) <= 0),
        TranslatorCase("scalar-equal", lambda: mx.sym.floor(x() * 2) == 1),
        TranslatorCase("scalar-not_equal", lambda: mx.sym.floor(x() * 2) != 1),
        TranslatorCase("hard-swish-mobilenetv3", lambda: _hard_swish()),
    ]


def _hard_swish():
    x = data()  # one variable: two mx.sym.var("data") calls would make two inputs with one name
    return x * mx.sym.clip(x + 3, a_min=0, a_max=6, name="relu6") / 6


def _ties(name: str):
    """floor(2x): random inputs with many equal values, so equality comparisons see both outcomes."""
    return mx.sym.floor(data(name) * 2)


def _binary_cases() -> list[TranslatorCase]:
    a, b = data("a"), data("b")
    cases = [
        TranslatorCase("elemwise_sub", lambda: data("a") - data("b"), shapes=TWO),
        TranslatorCase("elemwise_div", lambda: data("a") / (mx.sym.abs(data("b")) + 0.5), shapes=TWO),
        TranslatorCase("maximum", lambda: mx.sym.maximum(data("a"), data("b")), shapes=TWO),
        TranslatorCase("minimum", lambda: mx.sym.minimum(data("a"), data("b")), shapes=TWO),
        TranslatorCase("power", lambda: mx.sym.power(mx.sym.abs(data("a")) + 0.5, data("b")), shapes=TWO),
        TranslatorCase("greater", lambda: data("a") > data("b"), shapes=TWO),
        TranslatorCase("greater_equal", lambda: _ties("a") >= _ties("b"), shapes=TWO),
        TranslatorCase("lesser", lambda: data("a") < data("b"), shapes=TWO),
        TranslatorCase("lesser_equal", lambda: _ties("a") <= _ties("b"), shapes=TWO),
        TranslatorCase("equal", lambda: _ties("a") == _ties("b"), shapes=TWO),
        TranslatorCase("not_equal", lambda: _ties("a") != _ties("b"), shapes=TWO),
    ]
    del a, b
    for op in ["sub", "div", "maximum", "minimum", "power"]:
        cases.append(
            TranslatorCase(
                f"broadcast_{op}",
                lambda op=op: getattr(mx.sym, f"broadcast_{op}")(
                    mx.sym.abs(data("a")) + 0.5 if op == "power" else data("a"),
                    mx.sym.abs(data("b")) + 0.5 if op == "div" else data("b"),
                    name="op",
                ),
                shapes=BROADCAST,
            )
        )
    for op in ["equal", "not_equal", "greater", "greater_equal", "lesser", "lesser_equal"]:
        cases.append(
            TranslatorCase(
                f"broadcast_{op}",
                lambda op=op: getattr(mx.sym, f"broadcast_{op}")(_ties("a"), _ties("b"), name="op"),
                shapes=BROADCAST,
            )
        )
    cases.append(
        TranslatorCase(
            "broadcast_minus-alias", lambda: mx.sym.broadcast_minus(data("a"), data("b")), shapes=BROADCAST
        )
    )
    return cases


def _activation_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase("clip-relu6", lambda: mx.sym.clip(data(), a_min=0, a_max=6, name="clip")),
        TranslatorCase("clip-fractional", lambda: mx.sym.clip(data(), a_min=-0.3, a_max=0.7, name="clip")),
        TranslatorCase("hard_sigmoid-defaults", lambda: mx.sym.hard_sigmoid(data(), name="hs")),
        TranslatorCase(
            "hard_sigmoid-alpha-beta", lambda: mx.sym.hard_sigmoid(data(), alpha=1 / 6, beta=0.5, name="hs")
        ),
        TranslatorCase("log_softmax-default-axis", lambda: mx.sym.log_softmax(data(), name="ls")),
        TranslatorCase("log_softmax-axis1", lambda: mx.sym.log_softmax(data(), axis=1, name="ls")),
        TranslatorCase("softmax-axis1-resnest", lambda: mx.sym.softmax(data(), axis=1, name="softmax")),
        TranslatorCase("BlockGrad", lambda: mx.sym.BlockGrad(data(), name="stop") * 2),
        TranslatorCase("identity-_copy", lambda: mx.sym.identity(data(), name="copy") * 2),
    ]


def _alias_cases() -> list[TranslatorCase]:
    """Older and alternative op names MXNet still reads (it writes the canonical name back)."""
    a, b = (lambda: data("a")), (lambda: data("b"))
    binary = {
        "elemwise_add": lambda: a() + b(),
        "elemwise_sub": lambda: a() - b(),
        "elemwise_mul": lambda: a() * b(),
        "elemwise_div": lambda: a() / (mx.sym.abs(b()) + 0.5),
        "_power": lambda: mx.sym.power(mx.sym.abs(a()) + 0.5, b()),
        "_maximum": lambda: mx.sym.maximum(a(), b()),
        "_minimum": lambda: mx.sym.minimum(a(), b()),
        "_equal": lambda: _ties("a") == _ties("b"),
        "_greater": lambda: a() > b(),
        "_lesser": lambda: a() < b(),
        "broadcast_add": lambda: mx.sym.broadcast_add(a(), b()),
        "broadcast_sub": lambda: mx.sym.broadcast_sub(a(), b()),
    }
    aliases = {
        "_Plus": "elemwise_add",
        "_plus": "elemwise_add",
        "_add": "elemwise_add",
        "_grad_add": "elemwise_add",
        "_Minus": "elemwise_sub",
        "_minus": "elemwise_sub",
        "_sub": "elemwise_sub",
        "_Mul": "elemwise_mul",
        "_mul": "elemwise_mul",
        "_Div": "elemwise_div",
        "_div": "elemwise_div",
        "_Power": "_power",
        "_Maximum": "_maximum",
        "_Minimum": "_minimum",
        "_Equal": "_equal",
        "_Greater": "_greater",
        "_Lesser": "_lesser",
        "broadcast_plus": "broadcast_add",
        "broadcast_minus": "broadcast_sub",
    }
    cases = [
        TranslatorCase(f"alias-{alias}", binary[canonical], shapes=TWO, rename_op=(canonical, alias))
        for alias, canonical in aliases.items()
    ]
    x = data
    unary = {
        "_PlusScalar": ("_plus_scalar", lambda: x() + 3),
        "_MinusScalar": ("_minus_scalar", lambda: x() - 3),
        "_RMinusScalar": ("_rminus_scalar", lambda: 3 - x()),
        "_MulScalar": ("_mul_scalar", lambda: x() * 3),
        "_DivScalar": ("_div_scalar", lambda: x() / 3),
        "_RDivScalar": ("_rdiv_scalar", lambda: 3 / positive()),
        "_PowerScalar": ("_power_scalar", lambda: x() ** 2),
        "_RPowerScalar": ("_rpower_scalar", lambda: 2 ** x()),
        "_MaximumScalar": ("_maximum_scalar", lambda: mx.sym.maximum(x(), 0.2)),
        "_MinimumScalar": ("_minimum_scalar", lambda: mx.sym.minimum(x(), 0.2)),
        "_EqualScalar": ("_equal_scalar", lambda: mx.sym.floor(x() * 2) == 1),
        "flatten": ("Flatten", lambda: mx.sym.Flatten(x())),
        "reshape": ("Reshape", lambda: mx.sym.Reshape(x(), shape=(0, -1))),
        "concat": ("Concat", lambda: _self_concat()),
        "cast": ("Cast", lambda: mx.sym.Cast(x(), dtype="float32")),
        "split": ("SliceChannel", lambda: mx.sym.split(x(), num_outputs=2)[1] * 1),
        "crop": ("slice", lambda: mx.sym.slice(x(), begin=(0, 1), end=(1, 5))),
        "swapaxes": ("SwapAxis", lambda: mx.sym.SwapAxis(x(), dim1=1, dim2=3)),
        "sum_axis": ("sum", lambda: mx.sym.sum(x(), axis=2)),
        "max_axis": ("max", lambda: mx.sym.max(x(), axis=2)),
        "min_axis": ("min", lambda: mx.sym.min(x(), axis=2)),
        "stop_gradient": ("BlockGrad", lambda: mx.sym.BlockGrad(x()) * 2),
        "identity": ("_copy", lambda: mx.sym.identity(x()) * 2),
        "BatchNorm_v1": ("BatchNorm", lambda: mx.sym.BatchNorm(x(), fix_gamma=False, eps=1e-4, name="bn")),
        "broadcast_axes": ("broadcast_axis", lambda: mx.sym.broadcast_axis(x(), axis=(2,), size=(5,))),
    }
    cases += [
        TranslatorCase(
            f"alias-{alias}",
            build,
            shapes={"data": (N, C, 1, W)} if alias == "broadcast_axes" else IMAGE,
            rename_op=(canonical, alias),
        )
        for alias, (canonical, build) in unary.items()
    ]
    return cases


def _self_concat():
    x = data()
    return mx.sym.Concat(x, x * 2)


def _broadcast_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase(
            "broadcast_to-with-0-codes",
            lambda: mx.sym.broadcast_to(data(), shape=(0, 0, H, W), name="b"),
            shapes={"data": (N, C, 1, 1)},
        ),
        TranslatorCase(
            "broadcast_like",
            lambda: mx.sym.broadcast_like(data("a"), data("b"), name="b"),
            shapes={"a": (N, 1, H, 1), "b": (N, C, H, W)},
        ),
        TranslatorCase(
            "broadcast_axis-two-axes",
            lambda: mx.sym.broadcast_axis(data(), axis=(1, 3), size=(4, 6), name="b"),
            shapes={"data": (N, 1, H, 1)},
        ),
        TranslatorCase(
            "where", lambda: _where(), shapes={"c": IMAGE["data"], "a": IMAGE["data"], "b": IMAGE["data"]}
        ),
        TranslatorCase("stack-axis0", lambda: mx.sym.stack(data("a"), data("b"), name="s"), shapes=TWO),
        TranslatorCase(
            "stack-axis-last", lambda: mx.sym.stack(data("a"), data("b"), axis=-1, name="s"), shapes=TWO
        ),
        TranslatorCase(
            "LRN-nsize5-alexnet",
            lambda: mx.sym.LRN(data(), nsize=5, alpha=1e-4, beta=0.75, knorm=2, name="lrn"),
        ),
        TranslatorCase(
            "LRN-nsize3-knorm1", lambda: mx.sym.LRN(data(), nsize=3, alpha=0.5, beta=0.5, knorm=1, name="lrn")
        ),
    ]


def _where():
    return mx.sym.where(data("c") > 0, data("a"), data("b"), name="w")


ZOO_CASES: list[TranslatorCase] = [
    *_alias_cases(),
    *_broadcast_cases(),
    *_unary_cases(),
    *_scalar_cases(),
    *_binary_cases(),
    *_activation_cases(),
    *SHAPE_CASES,
]
