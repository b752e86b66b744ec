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


ZOO_CASES: list[TranslatorCase] = [
    *_unary_cases(),
    *_scalar_cases(),
    *_binary_cases(),
    *_activation_cases(),
    *SHAPE_CASES,
]
