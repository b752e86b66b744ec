"""The .params reader and writer against hand-built bytes and against MXNet itself."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ovzoo.errors import FormatError
from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.params import ParamsFile, encode_params, load_params, save_params, strip_prefixes
from support.params_bytes import BF16_FLAG, TYPE_FLAGS, array_record, params_file

DTYPES = sorted(TYPE_FLAGS)
LAYOUTS = ["v1", "v2", "v3", "oldest"]
# what MXNet 1.9.1's Python API can create (its numpy bridge lacks the other integer types)
MXNET_DTYPES = ["float32", "float64", "float16", "uint8", "int32", "int8", "int64", "bool"]


def sample(dtype: str, shape: tuple[int, ...] = (2, 3, 4), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype)


def write(tmp_path: Path, data: bytes, name: str = "x.params") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_reads_hand_built_layouts(tmp_path: Path, layout: str, dtype: str) -> None:
    arrays = {"arg:w": sample(dtype), "aux:v": sample(dtype, (5,), seed=1)}
    data = params_file([array_record(a, layout) for a in arrays.values()], list(arrays))
    loaded = load_params(write(tmp_path, data))
    assert list(loaded) == list(arrays)
    for key, expected in arrays.items():
        assert loaded[key].dtype == expected.dtype and loaded[key].shape == expected.shape
        np.testing.assert_array_equal(loaded[key], expected)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_bfloat16_is_widened_to_float32_exactly(tmp_path: Path, layout: str) -> None:
    values = np.array([1.5, -2.25, 2.0**40, -0.0], np.float32)
    bits = (values.view(np.uint32) >> 16).astype(np.uint16)  # exactly representable in bf16
    path = write(tmp_path, params_file([array_record(bits, layout, flag=BF16_FLAG)], ["b"]))
    loaded = load_params(path)["b"]
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, values)


def test_unnamed_list_gets_index_keys(tmp_path: Path) -> None:
    data = params_file([array_record(sample("float32"), "v2"), array_record(sample("int8"), "v2")], None)
    assert list(load_params(write(tmp_path, data))) == ["0", "1"]


@pytest.mark.parametrize("layout", ["v2", "v3"])
def test_empty_record(tmp_path: Path, layout: str) -> None:
    ndim = 0 if layout == "v2" else -1
    magic = 0xF993FAC9 if layout == "v2" else 0xF993FACA
    record = struct.pack("<Iii", magic, 0, ndim)
    loaded = load_params(write(tmp_path, params_file([record], ["e"])))
    assert loaded["e"].size == 0


@pytest.mark.parametrize("dtype", MXNET_DTYPES)
def test_mxnet_saved_file_reads_back_bit_identical(tmp_path: Path, dtype: str) -> None:
    mx = import_mxnet()
    value = sample(dtype)
    path = tmp_path / "mx.params"
    mx.nd.save(
        str(path), {"arg:a": mx.nd.array(value, dtype=dtype), "aux:b": mx.nd.array(value[0], dtype=dtype)}
    )
    loaded = load_params(path)
    assert loaded["arg:a"].dtype == value.dtype
    assert loaded["arg:a"].tobytes() == value.tobytes()
    assert loaded["aux:b"].tobytes() == value[0].tobytes()


@pytest.mark.parametrize("dtype", MXNET_DTYPES)
def test_writer_bytes_equal_mx_nd_save(tmp_path: Path, dtype: str) -> None:
    mx = import_mxnet()
    arrays = {
        "arg:w": sample(dtype),
        "aux:m": sample(dtype, (7,), seed=3),
        "x": sample(dtype, (1, 1, 2, 2, 1)),
    }
    path = tmp_path / "mx.params"
    mx.nd.save(str(path), {k: mx.nd.array(v, dtype=dtype) for k, v in arrays.items()})
    assert encode_params(arrays) == path.read_bytes()


def test_writer_output_loads_in_mxnet(tmp_path: Path) -> None:
    mx = import_mxnet()
    arrays = {f"arg:{d}": sample(d, seed=i) for i, d in enumerate(MXNET_DTYPES)}
    path = tmp_path / "ours.params"
    save_params(path, arrays)
    loaded = mx.nd.load(str(path))
    assert list(loaded) == list(arrays)
    for key, value in arrays.items():
        assert loaded[key].dtype == value.dtype
        np.testing.assert_array_equal(loaded[key].asnumpy(), value)


def test_v3_numpy_shapes_from_mxnet(tmp_path: Path) -> None:
    mx = import_mxnet()
    path = tmp_path / "np.params"
    mx.npx.set_np()
    try:
        mx.npx.save(
            str(path), {"m": mx.np.array(np.arange(6, dtype=np.float32).reshape(2, 3)), "s": mx.np.array(2.5)}
        )
    finally:
        mx.npx.reset_np()
    assert path.read_bytes()[24:28] == struct.pack("<I", 0xF993FACA)
    loaded = load_params(path)
    np.testing.assert_array_equal(loaded["m"], np.arange(6, dtype=np.float32).reshape(2, 3))
    assert loaded["s"].shape == () and loaded["s"] == np.float32(2.5)


@pytest.mark.parametrize("storage", ["row_sparse", "csr"])
def test_sparse_is_refused_with_offset(tmp_path: Path, storage: str) -> None:
    mx = import_mxnet()
    path = tmp_path / "sparse.params"
    dense = mx.nd.array(np.eye(4, dtype=np.float32))
    mx.nd.save(str(path), {"a": mx.nd.ones((2,)), "s": dense.tostype(storage)})
    with pytest.raises(FormatError) as e:
        load_params(path)
    stype_offset = 24 + (4 + 4 + 4 + 8 + 12 + 8) + 4  # header, the dense (2,) array, then the magic
    assert f"sparse array ({storage})" in str(e.value)
    assert f"byte offset {stype_offset}" in str(e.value)
    assert str(path) in str(e.value)


def _good_file() -> bytes:
    arrays = {"arg:w": sample("float32"), "aux:m": sample("float16", (3,))}
    return params_file([array_record(a, "v2") for a in arrays.values()], list(arrays))


@pytest.mark.parametrize("cut", [0, 7, 20, 30, 40, 60, 100, 140, 150, -5, -1])
def test_truncated_file_names_file_and_offset(tmp_path: Path, cut: int) -> None:
    data = _good_file()
    path = write(tmp_path, data[:cut])
    with pytest.raises(FormatError, match=r"truncated file: .* at byte offset \d+") as e:
        load_params(path)
    assert str(path) in str(e.value)


def test_bad_file_magic(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x00" * 8 + _good_file()[8:])
    with pytest.raises(FormatError, match=r"not an MXNet \.params file .* at byte offset 0"):
        load_params(path)


def test_bad_array_magic_reports_its_offset(tmp_path: Path) -> None:
    data = bytearray(_good_file())
    data[24:28] = struct.pack("<I", 0xDEADBEEF)
    with pytest.raises(FormatError, match=r"unknown array magic 0xDEADBEEF at byte offset 24"):
        load_params(write(tmp_path, bytes(data)))


def test_unknown_dtype_flag(tmp_path: Path) -> None:
    record = array_record(sample("float32", (2,)), "v2", flag=42)
    with pytest.raises(FormatError, match="unknown dtype flag 42"):
        load_params(write(tmp_path, params_file([record], ["a"])))


def test_trailing_garbage(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="unexpected bytes after the last name"):
        load_params(write(tmp_path, _good_file() + b"junk"))


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="can't read"):
        load_params(tmp_path / "absent.params")


def test_failed_save_leaves_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "keep.params"
    save_params(path, {"a": np.ones(3, np.float32)})
    before = path.read_bytes()
    with pytest.raises(FormatError, match="complex"):
        save_params(path, {"a": np.ones(3, np.float32), "b": np.ones(2, np.complex64)})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.params"]


# -- ParamsFile: the same arrays, read one at a time (conversion memory) ---------------------------


@pytest.mark.parametrize("dtype", ["float32", "float16", "int64", "bool"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_params_file_reads_what_load_params_reads(tmp_path: Path, layout: str, dtype: str) -> None:
    arrays = {"arg:w": sample(dtype), "aux:v": sample(dtype, (5,), seed=1)}
    path = write(tmp_path, params_file([array_record(a, layout) for a in arrays.values()], list(arrays)))
    lazy, eager = ParamsFile.open(path), load_params(path)
    assert list(lazy) == list(eager) and len(lazy) == 2 and "arg:w" in lazy and "w" not in lazy
    for key, expected in arrays.items():
        assert lazy.shape(key) == expected.shape
        assert lazy[key].dtype == eager[key].dtype
        np.testing.assert_array_equal(lazy[key], eager[key])
    bare = lazy.without_prefixes()
    assert list(bare) == ["w", "v"] and bare.shape("w") == (2, 3, 4)


def test_params_file_lookups_are_independent_arrays(tmp_path: Path) -> None:
    """Nothing shares one big buffer: an array the converter drops is freed on its own."""
    path = write(tmp_path, _good_file())
    params = ParamsFile.open(path)
    first, second = params["arg:w"], params["aux:m"]
    assert not np.shares_memory(first, second) and not np.shares_memory(first, params["arg:w"])
    assert first.base is None or first.base.nbytes == first.nbytes


@pytest.mark.parametrize("cut", [0, 7, 20, 40, 100, 150, -1])
def test_params_file_reports_what_load_params_reports(tmp_path: Path, cut: int) -> None:
    path = write(tmp_path, _good_file()[:cut])
    with pytest.raises(FormatError) as eager:
        load_params(path)
    with pytest.raises(FormatError) as lazy:
        ParamsFile.open(path)
    assert str(lazy.value) == str(eager.value)


def test_params_file_that_shrinks_after_opening_names_the_array(tmp_path: Path) -> None:
    path = write(tmp_path, _good_file())
    params = ParamsFile.open(path)
    path.write_bytes(_good_file()[:40])
    with pytest.raises(FormatError, match="file changed while being read \\(array 'arg:w'\\)") as e:
        params["arg:w"]
    assert str(path) in str(e.value)


def test_strip_prefixes() -> None:
    a, b = np.zeros(1), np.ones(1)
    assert strip_prefixes({"arg:x": a, "aux:y": b, "z": a}).keys() == {"x", "y", "z"}
    with pytest.raises(FormatError, match="both arg: and aux:"):
        strip_prefixes({"arg:x": a, "aux:x": b})


_dtypes = st.sampled_from(
    [
        "float32",
        "float64",
        "float16",
        "uint8",
        "int32",
        "int8",
        "int64",
        "bool",
        "int16",
        "uint16",
        "uint32",
        "uint64",
    ]
)


@st.composite
def _array_dicts(draw: st.DrawFn) -> dict[str, np.ndarray]:
    count = draw(st.integers(0, 4))
    names = draw(st.lists(st.text(min_size=1, max_size=12), min_size=count, max_size=count, unique=True))
    return {
        name: draw(
            hnp.arrays(draw(_dtypes), hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
        )
        for name in names
    }


@settings(max_examples=60, deadline=None)
@given(arrays=_array_dicts())
def test_round_trip_property(tmp_path_factory: pytest.TempPathFactory, arrays: dict[str, np.ndarray]) -> None:
    path = tmp_path_factory.mktemp("rt") / "rt.params"
    save_params(path, arrays)
    loaded = load_params(path)
    assert list(loaded) == list(arrays)
    for key, value in arrays.items():
        assert loaded[key].dtype == value.dtype and loaded[key].shape == value.shape
        assert loaded[key].tobytes() == value.tobytes()


def test_mxnet_checkpoint_reads_back_bit_identical(tmp_path: Path) -> None:
    mx = import_mxnet()
    data = mx.sym.Variable("data")
    net = mx.sym.FullyConnected(mx.sym.BatchNorm(data, name="bn"), num_hidden=3, name="fc")
    args = {
        "fc_weight": mx.nd.array(sample("float32", (3, 4))),
        "fc_bias": mx.nd.array(sample("float32", (3,))),
        "bn_gamma": mx.nd.ones(4),
        "bn_beta": mx.nd.zeros(4),
    }
    aux = {"bn_moving_mean": mx.nd.array(sample("float32", (4,), 2)), "bn_moving_var": mx.nd.ones(4)}
    mx.model.save_checkpoint(str(tmp_path / "m"), 7, net, args, aux)
    loaded = load_params(tmp_path / "m-0007.params")
    expected = {**{f"arg:{k}": v for k, v in args.items()}, **{f"aux:{k}": v for k, v in aux.items()}}
    assert sorted(loaded) == sorted(expected)
    for key, value in expected.items():
        assert loaded[key].tobytes() == value.asnumpy().tobytes(), key
    assert encode_params(loaded) == (tmp_path / "m-0007.params").read_bytes()
