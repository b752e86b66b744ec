"""Helpers for front-end tests: random params for an mx.sym graph, MXNet and OpenVINO forward passes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import openvino as ov

from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.symbol import parse_symbol

mx = import_mxnet()
F32_CONFIG = {"INFERENCE_PRECISION_HINT": "f32"}
_CORE = ov.Core()


def random_params(sym, input_shapes: Mapping[str, Sequence[int]], seed: int = 0) -> dict[str, np.ndarray]:
    """Well-scaled random values for every argument and aux state that is not an input or a label."""
    rng = np.random.default_rng(seed)
    arg_shapes, _, aux_shapes = sym.infer_shape(**{k: tuple(v) for k, v in input_shapes.items()})
    params: dict[str, np.ndarray] = {}
    for name, shape in zip(sym.list_arguments(), arg_shapes, strict=True):
        if name in input_shapes or name.endswith("_label"):
            continue
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        scale = 1.0 / np.sqrt(fan_in) if len(shape) > 1 else 0.5
        values = rng.normal(0.0, scale, shape)
        if name.endswith("_gamma"):
            values = rng.uniform(0.5, 1.5, shape)
        params[name] = values.astype(np.float32)
    for name, shape in zip(sym.list_auxiliary_states(), aux_shapes, strict=True):
        values = rng.uniform(0.5, 2.0, shape) if name.endswith("_var") else rng.normal(0.0, 0.3, shape)
        params[name] = values.astype(np.float32)
    return params


def mxnet_forward(
    sym, inputs: Mapping[str, np.ndarray], params: Mapping[str, np.ndarray]
) -> list[np.ndarray]:
    """MXNet's own inference forward pass on CPU (is_train=False)."""
    executor = sym.simple_bind(mx.cpu(), grad_req="null", **{k: v.shape for k, v in inputs.items()})
    for name, value in {**params, **inputs}.items():
        target = executor.arg_dict.get(name, executor.aux_dict.get(name))
        if target is not None:  # a sub-graph reads only some of the params
            target[:] = value
    return [out.asnumpy() for out in executor.forward(is_train=False)]


def convert_symbol(
    sym,
    params: Mapping[str, np.ndarray],
    input_shapes: Mapping[str, Sequence[int]],
    outputs: Sequence[str] | None = None,
) -> ov.Model:
    """sym -> JSON -> our parser -> our front end."""
    return convert_graph(parse_symbol(sym.tojson(), "test-symbol.json"), params, input_shapes, outputs)


def openvino_forward(model: ov.Model, inputs: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    """Compile on CPU at f32 inference precision and run once."""
    compiled = _CORE.compile_model(model, "CPU", F32_CONFIG)
    results = compiled(dict(inputs))
    return [np.asarray(results[out]) for out in compiled.outputs]


def random_inputs(input_shapes: Mapping[str, Sequence[int]], seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.normal(0.0, 1.0, tuple(v)).astype(np.float32) for k, v in input_shapes.items()}
