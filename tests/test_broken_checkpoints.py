"""Numerically broken checkpoints are refused (issue 11 part 7): a negative or NaN BatchNorm variance, or
a non-finite weight, is one error naming the params file and the parameter, not an IR that outputs NaN."""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np
import pytest

from ovzoo.errors import FormatError
from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.params import load_params, save_params, strip_prefixes
from ovzoo.mxnet.symbol import load_symbol, parse_symbol
from support.mxnet_graphs import mx, mxnet_forward, openvino_forward, random_inputs, random_params

ARCHIVE = Path(__file__).resolve().parent.parent / "models" / "octave-digits-tiny" / "octave-digits-tiny.tar"
INPUT = {"data": (1, 3, 32, 32)}


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("digits")
    with tarfile.open(ARCHIVE) as tar:
        tar.extractall(folder, filter="data")
    return folder / "octave-digits-tiny" / "checkpoint-0"


def _convert_with(checkpoint: Path, tmp_path: Path, key: str, edit) -> None:
    arrays = {k: np.array(v) for k, v in load_params(Path(f"{checkpoint}-0000.params")).items()}
    arrays[key] = edit(arrays[key].copy())
    broken = tmp_path / "broken-0000.params"
    save_params(broken, arrays)
    graph = load_symbol(Path(f"{checkpoint}-symbol.json"))
    convert_graph(graph, strip_prefixes(load_params(broken)), INPUT, params_source=str(broken))


def _set(index: int, value: float):
    def edit(array: np.ndarray) -> np.ndarray:
        array.reshape(-1)[index] = value
        return array

    return edit


@pytest.mark.parametrize(
    "key, edit, message",
    [
        (
            "aux:L3_B01_conv2_bn-h_moving_var",
            _set(3, -0.5),
            "1 negative or NaN variance(s), first -0.5 at index 3",
        ),
        (
            "aux:L3_B01_conv2_bn-h_moving_var",
            _set(0, np.nan),
            "1 non-finite value(s) (NaN or infinity)",
        ),
        ("aux:conv1_bn_moving_var", _set(1, -1e-3), "negative or NaN variance"),  # folded into conv1_conv
        ("arg:conv1_conv_weight", _set(7, np.inf), "1 non-finite value(s) (NaN or infinity)"),
        ("arg:classifier_bias", _set(2, np.nan), "1 non-finite value(s) (NaN or infinity)"),
        ("aux:tail_bn_moving_mean", _set(5, -np.inf), "1 non-finite value(s) (NaN or infinity)"),
    ],
    ids=[
        "negative-variance",
        "nan-variance",
        "negative-variance-folded-bn",
        "inf-conv-weight",
        "nan-fc-bias",
        "inf-bn-mean",
    ],
)
def test_broken_values_are_one_error_naming_the_param(
    checkpoint: Path, tmp_path: Path, key: str, edit, message: str
) -> None:
    with pytest.raises(FormatError) as raised:
        _convert_with(checkpoint, tmp_path, key, edit)
    text = str(raised.value)
    name = key.split(":", 1)[1]
    assert text.startswith(f"{tmp_path / 'broken-0000.params'}: param {name!r} (read by ")
    assert message in text and text.endswith("the checkpoint is broken")
    assert "\n" not in text


def test_a_nan_gamma_that_fix_gamma_ignores_is_harmless() -> None:
    """With fix_gamma=True MXNet never reads gamma: a NaN there doesn't break the model."""
    sym = mx.sym.BatchNorm(mx.sym.var("data"), name="bn")  # fix_gamma defaults to True
    params = random_params(sym, {"data": (1, 2, 3, 3)})
    params["bn_gamma"][:] = np.nan
    model = convert_graph(parse_symbol(sym.tojson(), "bn-symbol.json"), params, {"data": (1, 2, 3, 3)})
    inputs = random_inputs({"data": (1, 2, 3, 3)})
    np.testing.assert_allclose(
        openvino_forward(model, inputs)[0], mxnet_forward(sym, inputs, params)[0], atol=1e-5
    )
