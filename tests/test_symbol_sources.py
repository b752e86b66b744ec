"""Checkpoints as MXNet's own tools write them: Gluon exports (arg:/aux: prefixes, input `data`, blocks
reused so that node names repeat) and Module checkpoints, each converted and checked against MXNet."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.params import load_params, strip_prefixes
from ovzoo.mxnet.shapes import infer_shapes
from ovzoo.mxnet.symbol import load_symbol
from support.mxnet_graphs import mx, openvino_forward

SHAPE = (2, 3, 16, 16)


def _convert(prefix: Path, shape: tuple[int, ...] = SHAPE) -> list[np.ndarray]:
    graph = load_symbol(Path(f"{prefix}-symbol.json"))
    params = strip_prefixes(load_params(Path(f"{prefix}-0000.params")))
    model = convert_graph(graph, params, {"data": shape}, params_source=f"{prefix}-0000.params")
    return openvino_forward(model, {"data": _batch(shape)})


def _batch(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(4).normal(0, 1, shape).astype(np.float32)


class _Reused(mx.gluon.HybridBlock):
    """Applies one ReLU block three times and one conv twice, as Xception reuses its ReLU."""

    def __init__(self) -> None:
        super().__init__()
        with self.name_scope():
            self.conv = mx.gluon.nn.Conv2D(3, 3, padding=1)
            self.bn = mx.gluon.nn.BatchNorm()
            self.relu = mx.gluon.nn.Activation("relu")
            self.pool = mx.gluon.nn.GlobalAvgPool2D()
            self.dense = mx.gluon.nn.Dense(5)

    def hybrid_forward(self, F, x):  # noqa: N803  (Gluon's signature)
        x = self.relu(self.bn(self.conv(x)))
        x = self.relu(self.conv(x) - 0.5)
        return self.dense(self.relu(self.pool(x)))


def _export(net, prefix: Path) -> np.ndarray:
    net.initialize(mx.init.Xavier(), force_reinit=True)
    net.hybridize()
    net(mx.nd.array(_batch(SHAPE)))  # the first call builds the graph and sizes the deferred params
    # moving statistics away from their initial 0/1, so BatchNorm's inference arithmetic is exercised
    for name, param in net.collect_params().items():
        if name.endswith(("running_mean", "running_var")):
            param.set_data(mx.nd.array(np.random.default_rng(1).uniform(0.5, 1.5, param.shape)))
    expected = net(mx.nd.array(_batch(SHAPE))).asnumpy()
    net.export(str(prefix))
    return expected


def test_gluon_export_with_repeated_node_names_converts(tmp_path: Path) -> None:
    prefix = tmp_path / "reused"
    expected = _export(_Reused(), prefix)
    names = Counter(node["name"] for node in json.loads(Path(f"{prefix}-symbol.json").read_text())["nodes"])
    assert max(names.values()) >= 3  # the reused ReLU: one name, three nodes
    keys = load_params(Path(f"{prefix}-0000.params"))
    assert all(key.startswith(("arg:", "aux:")) for key in keys) and any(k.startswith("aux:") for k in keys)
    (actual,) = _convert(prefix)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_gluon_model_zoo_net_converts(tmp_path: Path) -> None:
    net = mx.gluon.model_zoo.vision.get_model("mobilenetv2_0.25", classes=10)
    prefix = tmp_path / "mobilenetv2"
    expected = _export(net, prefix)
    (actual,) = _convert(prefix)
    scale = float(np.abs(expected).max())
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-5 * max(scale, 1.0))


def test_module_checkpoint_converts(tmp_path: Path) -> None:
    data = mx.sym.var("data")
    conv = mx.sym.Convolution(data, kernel=(3, 3), num_filter=4, pad=(1, 1), name="conv")
    bn = mx.sym.BatchNorm(conv, fix_gamma=False, name="bn")
    pooled = mx.sym.Pooling(mx.sym.relu(bn), global_pool=True, pool_type="avg", kernel=(1, 1))
    sym = mx.sym.SoftmaxOutput(mx.sym.FullyConnected(pooled, num_hidden=6, name="fc"), name="softmax")
    module = mx.mod.Module(sym, data_names=["data"], label_names=["softmax_label"], context=mx.cpu())
    module.bind(
        data_shapes=[("data", SHAPE)], label_shapes=[("softmax_label", (SHAPE[0],))], for_training=False
    )
    module.init_params(
        mx.init.Xavier(),
        aux_params={"bn_moving_mean": mx.nd.ones(4) * 0.1, "bn_moving_var": mx.nd.ones(4) * 2},
    )
    prefix = tmp_path / "module"
    module.save_checkpoint(str(prefix), 0)
    module.forward(mx.io.DataBatch([mx.nd.array(_batch(SHAPE))]), is_train=False)
    expected = module.get_outputs()[0].asnumpy()
    (actual,) = _convert(prefix)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("prefixes", [True, False], ids=["arg-aux-prefixes", "bare-names"])
def test_params_with_or_without_prefixes_give_the_same_model(tmp_path: Path, prefixes: bool) -> None:
    prefix = tmp_path / "reused"
    expected = _export(_Reused(), prefix)
    if not prefixes:  # Gluon's save_parameters writes bare names
        arrays = load_params(Path(f"{prefix}-0000.params"))
        mx.nd.save(f"{prefix}-0000.params", {k.split(":", 1)[1]: mx.nd.array(v) for k, v in arrays.items()})
    (actual,) = _convert(prefix)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


def test_repeated_node_names_give_unique_layer_names(tmp_path: Path) -> None:
    """OpenVINO 2023.3 refuses an IR whose layer names repeat: the first node keeps the MXNet name."""
    prefix = tmp_path / "reused"
    _export(_Reused(), prefix)
    graph = load_symbol(Path(f"{prefix}-symbol.json"))
    params = strip_prefixes(load_params(Path(f"{prefix}-0000.params")))
    model = convert_graph(graph, params, {"data": SHAPE})
    names = [op.get_friendly_name() for op in model.get_ops()]
    assert len(names) == len(set(names))
    relu = next(node for node in graph.nodes if node.op == "Activation")
    assert graph.node(relu.name) is relu  # by name, the first node (as MXNet's internals lookup)
    first = next(op for op in model.get_ops() if op.get_friendly_name() == relu.name)
    assert (
        tuple(first.get_output_partial_shape(0).to_shape())
        == infer_shapes(graph, {"data": SHAPE})[relu.name][0]
    )
