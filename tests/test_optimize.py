"""ovzoo.optimize: the measured group-merge rewrite is exact, switchable, recorded, cached, and keeps the validator's checks.

Merges are forced through the cost cache (a table of layer times written first, as
benchmarks/group_merge_costs.py writes one), so the tests do not depend on what this machine's
timings happen to favour; the timing itself runs for real where a test needs it.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8

from ovzoo.convert.converter import convert_model
from ovzoo.optimize import RewriteOptions, rewrite_graph
from ovzoo.optimize.cost_cache import CACHE_FILE, IDENTITY_FILE, CostCache, Machine, machine_key, this_machine
from ovzoo.optimize.group_merge import block_diagonal, find_candidates, merges_for, timed_precisions
from ovzoo.optimize.int8_merge import int8_merges, merge_for_int8
from ovzoo.optimize.layer_timing import INT8, ConvLayer
from ovzoo.optimize.measure_plan import ShapeToTime, plan_measurements
from ovzoo.optimize.record import read_merged_layers, read_pending_layers, read_se_layers
from ovzoo.optimize.tune import layers_as_converted, tune_layers
from ovzoo.quantize import Calibration, QuantizeOptions, quantize_model
from ovzoo.quantize.scope import narrow_group_convolutions
from ovzoo.validate.cost import count_cost
from ovzoo.validate.runner import validate_model
from ovzoo.vocabulary.layout import ir_path
from support.checkpoints import catalog_model, synthetic_checkpoint, tiny_checkpoint, tiny_model
from support.cost_tables import write_cost_table

F32 = {"INFERENCE_PRECISION_HINT": "f32"}


def narrow_group_model(seed: int = 0) -> ov.Model:
    """Three grouped 3x3 convolutions with 2-6 channels per group, as in octave ResNeXt's early stages."""
    rng = np.random.default_rng(seed)
    x = opset8.parameter([1, 96, 20, 20], np.float32, name="data")
    y = x.output(0)
    for i, (groups, out_per_group, in_per_group) in enumerate(((32, 2, 3), (16, 6, 4), (32, 3, 3))):
        w = rng.standard_normal((groups, out_per_group, in_per_group, 3, 3)).astype(np.float32)
        conv = opset8.group_convolution(y, opset8.constant(w), [1, 1], [1, 1], [1, 1], [1, 1])
        conv.set_friendly_name(f"gconv{i}")
        y = opset8.relu(conv).output(0)
    return ov.Model([y], [x], "narrow")


def infer(model: ov.Model, x: np.ndarray) -> np.ndarray:
    compiled = ov.Core().compile_model(model, "CPU", F32)
    return compiled.create_infer_request().infer({0: x})[compiled.outputs[0]].copy()


def test_block_diagonal_weights_keep_each_group_in_place():
    w = np.arange(4 * 2 * 3 * 1 * 1, dtype=np.float32).reshape(4, 2, 3, 1, 1) + 1
    merged = block_diagonal(w, 2)
    assert merged.shape == (2, 4, 6, 1, 1)
    assert np.array_equal(merged[1, 2:4, 3:6], w[3])
    assert np.array_equal(merged[0, 0:2, 0:3], w[0])
    assert np.count_nonzero(merged) == w.size  # zeros everywhere off the diagonal blocks


@pytest.mark.parametrize("favour", [2, 4, 8])
def test_merged_model_computes_the_same_outputs(tmp_path, favour):
    cache = tmp_path / "costs.json"
    original = narrow_group_model()
    write_cost_table(original, cache, favour)
    rewritten = narrow_group_model()
    merged = rewrite_graph(rewritten, RewriteOptions(cost_cache=cache, measure_shapes=0))
    assert merged and all(m.merge == favour for m in merged)
    layers = ((32, 2, 3), (16, 6, 4), (32, 3, 3))  # as in narrow_group_model
    expected = [g // favour if favour in merges_for(shape) else g for shape in layers for g in shape[:1]]
    groups = [
        op.get_input_shape(1)[0]
        for op in rewritten.get_ordered_ops()
        if op.get_type_name() == "GroupConvolution"
    ]
    assert groups == expected
    x = np.random.default_rng(1).standard_normal((1, 96, 20, 20)).astype(np.float32)
    before, after = infer(original, x), infer(rewritten, x)
    assert np.abs(after - before).max() <= 1e-5 * np.abs(before).max()


def test_no_merge_when_it_measures_slower(tmp_path):
    cache = tmp_path / "costs.json"
    model = narrow_group_model()
    write_cost_table(model, cache, favour=None)
    assert rewrite_graph(model, RewriteOptions(cost_cache=cache, measure_shapes=0)) == []
    assert read_merged_layers(model) == {}
    assert model.get_rt_info(["ovzoo", "graph_rewrites", "enabled"]).astype(str) == "true"


def test_disabled_pass_leaves_the_graph_and_says_so(tmp_path):
    cache = tmp_path / "costs.json"
    model = narrow_group_model()
    write_cost_table(model, cache, favour=4)
    assert rewrite_graph(model, RewriteOptions(enabled=False, cost_cache=cache)) == []
    assert [c.layer.groups for c in find_candidates(model)] == [32, 16, 32]
    assert model.get_rt_info(["ovzoo", "graph_rewrites", "enabled"]).astype(str) == "false"


def test_cost_cache_keeps_entries_written_by_others(tmp_path):
    path = tmp_path / "costs.json"
    a, b = CostCache(path), CostCache(path)
    threads = [
        threading.Thread(target=c.put, args=({f"key{i}": {1: 1.0, 2: 0.5}},)) for i, c in enumerate((a, b))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(CostCache(path).entries) == {"key0", "key1"}
    late = CostCache(tmp_path / "other.json")
    CostCache(tmp_path / "other.json").put({"k": {1: 1.0}})
    late.put({"k": {1: 2.0}})  # measured at the same time by another process: the first figures stay
    assert late.get("k") == CostCache(tmp_path / "other.json").get("k") == {1: 1.0}
    late.put({"k": {1: 3.0}}, replace=True)  # benchmarks/group_merge_costs.py's careful figures
    assert CostCache(tmp_path / "other.json").get("k") == {1: 3.0}
    path.write_text("{not json")
    assert CostCache(path).get("key0") is None  # an unreadable cache is an empty one


@pytest.mark.parametrize("entry", [5, "fast", [], {}, {"1": "slow"}, {"x": 1.0}, {"1": -1.0}, {"1": None}])
def test_malformed_cache_entry_is_timed_again_and_replaced(tmp_path, entry, caplog):
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"bad": entry, "good": {"1": 2.0, "2": 1.0}}))
    cache = CostCache(path)
    assert cache.get("bad") is None
    assert "malformed entry 'bad'" in caplog.text
    assert cache.get("good") == {1: 2.0, 2: 1.0}
    cache.put({"bad": {1: 1.5, 2: 1.0}})  # a new measurement takes the malformed entry's place
    assert CostCache(path).get("bad") == {1: 1.5, 2: 1.0}
    assert CostCache(path).get("good") == {1: 2.0, 2: 1.0}


def test_machine_is_asked_once_then_read_from_its_record(tmp_path):
    cache = tmp_path / "layer-costs" / "v1.json"
    first = this_machine(cache)
    assert first == Machine.ask(ov.Core())
    record = cache.with_name(IDENTITY_FILE)

    def no_plugin() -> ov.Core:
        raise AssertionError("the CPU plugin was asked again")

    assert this_machine(cache, make_core=no_plugin) == first
    stored = json.loads(record.read_text())
    record.write_text(json.dumps({"another-cpu": next(iter(stored.values()))}))  # a different machine
    asked = []
    assert this_machine(cache, make_core=lambda: asked.append(1) or ov.Core()) == first and asked == [1]
    record.write_text("{not json")
    assert this_machine(cache) == first  # an unreadable record is asked again and rewritten
    assert json.loads(record.read_text()) == stored


def test_cached_rewrite_does_not_load_the_cpu_plugin(tmp_path):
    """All layer times cached: the pass must not pay ~8 MB of peak memory for the plugin's name."""
    cache = tmp_path / "costs.json"
    model = narrow_group_model()
    write_cost_table(model, cache, favour=4)
    this_machine(cache)  # recorded, as any earlier conversion on this machine would have
    script = (
        "import sys, openvino as ov; sys.path.insert(0, sys.argv[2]); sys.path.insert(0, sys.argv[3]);"
        "from test_optimize import narrow_group_model; from ovzoo.optimize import RewriteOptions, rewrite_graph;"
        "from pathlib import Path;"
        "merged = rewrite_graph(narrow_group_model(), RewriteOptions(cost_cache=Path(sys.argv[1]), measure_shapes=0));"
        "maps = Path('/proc/self/maps').read_text();"
        "print(len(merged), 'libopenvino_intel_cpu_plugin' in maps)"
    )
    tests = Path(__file__).resolve().parent
    out = subprocess.run(
        [sys.executable, "-c", script, str(cache), str(tests), str(tests.parent / "tools")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["3", "False"]


# -- the measuring budget: a few shapes per conversion, the heaviest first; ovzoo tune for the rest --


def shape_to_time(channels: int, size: int, groups: int, per_group: tuple[int, int], layers: int = 1):
    out_per_group, in_per_group = per_group
    layer = ConvLayer(
        (1, channels, size, size), groups * out_per_group, (3, 3), groups, (1, 1), (1, 1), (1, 1), (1, 1)
    )
    return shape_to_time_of(layer, layers), (groups, out_per_group, in_per_group, 3, 3)


def shape_to_time_of(layer: ConvLayer, layers: int) -> ShapeToTime:
    return ShapeToTime(layer.key(), layer, (1, 2), layers)


def test_plan_times_the_heaviest_shapes_first_and_defers_the_rest():
    narrow_big = shape_to_time(96, 56, 32, (3, 3))  # 8.1 M multiply-adds in 3-channel groups
    wider_same_macs = shape_to_time(384, 14, 32, (12, 12))  # the same multiply-adds, 12-channel groups
    small_but_many = shape_to_time(64, 14, 32, (2, 2), layers=4)
    plan = plan_measurements([small_but_many, wider_same_macs, narrow_big], budget=2)
    assert [s.key for s in plan.now] == [narrow_big[0].key, wider_same_macs[0].key]
    assert [s.key for s in plan.later] == [small_but_many[0].key]
    assert plan_measurements([narrow_big], budget=0).now == ()
    assert len(plan_measurements([narrow_big, small_but_many], budget=None).now) == 2


def test_wide_and_depthwise_groups_are_never_timed(tmp_path):
    x = opset8.parameter([1, 64, 8, 8], np.float32)
    rng = np.random.default_rng(0)
    y = x.output(0)
    for shape in ((4, 16, 16, 3, 3), (64, 1, 1, 3, 3), (2, 32, 32, 3, 3)):
        w = opset8.constant(rng.standard_normal(shape).astype(np.float32))
        y = opset8.group_convolution(y, w, [1, 1], [1, 1], [1, 1], [1, 1]).output(0)
    model = ov.Model([y], [x], "wide")
    assert find_candidates(model) == []
    assert rewrite_graph(model, RewriteOptions(cost_cache=tmp_path / "costs.json")) == []
    assert not (tmp_path / "costs.json").exists()


def test_a_conversion_times_at_most_its_budget_and_records_what_waits(tmp_path, caplog):
    cache = tmp_path / "costs.json"
    caplog.set_level(logging.INFO, logger="ovzoo.optimize.group_merge")
    model = narrow_group_model()
    rewrite_graph(model, RewriteOptions(cost_cache=cache, measure_shapes=1))
    precisions = timed_precisions(Machine.ask(ov.Core()))
    timed = json.loads(cache.read_text())
    assert len(timed) == len(precisions)  # one layer shape, at f32 and the default precision
    # equal expected weight (the same multiply-adds per channel of group), so the first by key
    first = min(c.layer.key() for c in find_candidates(narrow_group_model()))
    assert all(key.endswith(first) for key in timed)
    pending = read_pending_layers(model)
    assert len(pending) == 2 and set(pending) < {"gconv0", "gconv1", "gconv2"}
    said = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("group merge: timed 1 of 3 untimed layer shapes") for m in said)
    assert any("2 waiting for their shape to be timed (2 shapes; 'ovzoo tune IR.xml'" in m for m in said)
    again = narrow_group_model()  # the next conversion times the next shape
    rewrite_graph(again, RewriteOptions(cost_cache=cache, measure_shapes=1))
    assert len(json.loads(cache.read_text())) == 2 * len(precisions)
    assert len(read_pending_layers(again)) == 1


def test_tune_times_every_shape_of_a_rewritten_ir_as_converted(tmp_path):
    cache = tmp_path / "costs.json"
    write_cost_table(narrow_group_model(), cache, favour=2)
    rewritten = narrow_group_model()
    assert len(rewrite_graph(rewritten, RewriteOptions(cost_cache=cache, measure_shapes=0))) == 3
    as_converted = [layer.key() for layer, _ in layers_as_converted(rewritten)]
    assert as_converted == [c.layer.key() for c in find_candidates(narrow_group_model())]
    fresh = tmp_path / "fresh.json"
    tuned = tune_layers(rewritten, CostCache(fresh), repeats=1)
    assert sorted(t.layer.key() for t in tuned) == sorted(as_converted)
    assert all(t.merge in merges_for((t.layer.groups, 1, 1)) or t.merge is not None for t in tuned)
    # with every shape timed, a conversion that may time nothing decides every layer
    decided = narrow_group_model()
    rewrite_graph(decided, RewriteOptions(cost_cache=fresh, measure_shapes=0))
    assert read_pending_layers(decided) == []


def test_tune_command(tmp_path, capsys):
    from ovzoo.cli.__main__ import run_command  # noqa: PLC0415

    xml = tmp_path / "narrow.xml"
    ov.save_model(narrow_group_model(), xml)
    cache = tmp_path / "costs.json"
    assert run_command("tune", [str(xml), "--cost_cache", str(cache), "--dry_run"]) == 0
    assert "would time 3 layer shapes" in capsys.readouterr().out and not cache.exists()
    assert run_command("tune", [str(xml), "--cost_cache", str(cache), "--repeats", "1"]) == 0
    printed = capsys.readouterr().out
    assert "3 layer shapes timed (3 layers)" in printed and printed.count("merge x") == 3
    assert len(json.loads(cache.read_text())) == 3 * len(timed_precisions(Machine.ask(ov.Core())))
    assert run_command("tune", [str(tmp_path / "missing.xml")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"ovzoo tune: error: {tmp_path / 'missing.xml'}: no such IR file"
    (tmp_path / "bad.xml").write_text("not an IR")
    assert run_command("tune", [str(tmp_path / "bad.xml")]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .startswith(f"ovzoo tune: error: {tmp_path / 'bad.xml'}: not an OpenVINO IR: not XML")
    )


# -- SE blocks: the fully connected layers as 1x1 convolutions on the pooled 4-D tensors ----------


def octave_se_model(odd_op: bool = False, seed: int = 0, batch: int = 1) -> ov.Model:
    """An octave SE block as the front end writes it: both bands pooled, one FC over both (two MatMuls
    summed), ReLU, one FC + sigmoid per band, Unsqueezed back to scale each band."""
    rng = np.random.default_rng(seed)
    bands = [
        opset8.parameter([batch, 32, 8, 8], np.float32, name="high"),
        opset8.parameter([batch, 16, 4, 4], np.float32, name="low"),
    ]
    flat = []
    for band in bands:
        channels = band.get_output_partial_shape(0)[1].get_length()
        pooled = opset8.reduce_mean(band, opset8.constant(np.array([2, 3], np.int64)), True)
        flat.append(opset8.reshape(pooled, opset8.constant(np.array([batch, channels], np.int64)), True))

    def weights(*shape):
        return opset8.constant(rng.standard_normal(shape).astype(np.float32))

    squeeze = opset8.add(
        opset8.add(opset8.matmul(flat[0], weights(8, 32), False, True), weights(8)),
        opset8.matmul(flat[1], weights(16, 8), False, False),
    )
    hidden = opset8.clamp(squeeze, 0.0, 6.0) if odd_op else opset8.relu(squeeze)
    scaled = []
    for band in bands:
        channels = band.get_output_partial_shape(0)[1].get_length()
        gate = opset8.sigmoid(
            opset8.add(opset8.matmul(hidden, weights(channels, 8), False, True), weights(1, channels))
        )
        gate4 = opset8.unsqueeze(
            opset8.unsqueeze(gate, opset8.constant(np.int64(2))), opset8.constant(np.int64(3))
        )
        scaled.append(opset8.multiply(band, gate4))
    return ov.Model([s.output(0) for s in scaled], bands, "se")


def infer_all(model: ov.Model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    compiled = ov.Core().compile_model(model, "CPU", F32)
    result = compiled.create_infer_request().infer(dict(enumerate(inputs)))
    return [result[output].copy() for output in compiled.outputs]


def test_se_blocks_run_as_1x1_convolutions_with_the_same_numbers(tmp_path):
    rng = np.random.default_rng(1)
    inputs = [
        rng.standard_normal((1, 32, 8, 8)).astype(np.float32),
        rng.standard_normal((1, 16, 4, 4)).astype(np.float32),
    ]
    original, rewritten = octave_se_model(), octave_se_model()
    rewrite_graph(rewritten, RewriteOptions(cost_cache=tmp_path / "costs.json"))
    assert len(read_se_layers(rewritten)) == 4  # two MatMuls in the shared FC, one per band's gate
    kinds = [op.get_type_name() for op in rewritten.get_ordered_ops()]
    assert "MatMul" not in kinds and "Reshape" not in kinds and "Unsqueeze" not in kinds
    assert kinds.count("Convolution") == 4
    for before, after in zip(infer_all(original, inputs), infer_all(rewritten, inputs), strict=True):
        np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-6)
    assert count_cost(rewritten) == count_cost(
        original
    )  # the same parameters, multiply-adds, element-wise work
    lifted = {
        op.get_friendly_name() for op in rewritten.get_ordered_ops() if op.get_type_name() == "Convolution"
    }
    assert all(name.endswith("/4d") for name in lifted)  # MXNet's names stay with MXNet's 2-D shapes


@pytest.mark.parametrize("odd_op, batch", [(True, 1), (False, -1)], ids=["unknown-op", "dynamic-batch"])
def test_se_block_the_rewrite_does_not_handle_stays_as_it_is(tmp_path, odd_op, batch):
    model = octave_se_model(odd_op=odd_op, batch=batch)
    rewrite_graph(model, RewriteOptions(cost_cache=tmp_path / "costs.json"))
    assert read_se_layers(model) == []
    assert [op.get_type_name() for op in model.get_ordered_ops()].count("MatMul") == 4


# -- through the converter, on real checkpoints --------------------------------------------------


@pytest.fixture(scope="module")
def tiny_download(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("dl")
    tiny_checkpoint(root)
    return root


def test_converter_measures_once_then_uses_the_cache(tiny_download, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("OVZOO_CACHE_DIR", str(tmp_path / "cache"))
    caplog.set_level(logging.DEBUG, logger="ovzoo.optimize.group_merge")
    convert_model(tiny_model(), tiny_download, tmp_path / "a", ("FP32",))
    timed = [r for r in caplog.records if r.getMessage().startswith("group merge: timed ")]
    assert timed  # the tiny model's 2-group convolution was timed...
    assert json.loads((tmp_path / "cache" / CACHE_FILE).read_text())  # ...and kept
    caplog.clear()
    convert_model(tiny_model(), tiny_download, tmp_path / "b", ("FP32",))
    assert not [r for r in caplog.records if r.getMessage().startswith(("group merge: timed", "timed "))]
    for ext in (".xml", ".bin"):  # the same cache gives the same IR
        a = ir_path(tmp_path / "a", tiny_model(), "FP32").with_suffix(ext)
        b = ir_path(tmp_path / "b", tiny_model(), "FP32").with_suffix(ext)
        assert a.read_bytes() == b.read_bytes()


def convert_both_ways(model, download: Path, out: Path, monkeypatch) -> tuple[ov.Model, ov.Model]:
    """The model converted with the rewrites off, and with them on and every merge favoured."""
    monkeypatch.setenv("OVZOO_CACHE_DIR", str(out / "cache"))
    convert_model(model, download, out / "plain", ("FP32",), graph_rewrites=False)
    plain = ov.Core().read_model(ir_path(out / "plain", model, "FP32"))
    write_cost_table(plain, out / "cache" / CACHE_FILE, favour=4)
    convert_model(model, download, out / "merged", ("FP32", "FP16"))
    return plain, ov.Core().read_model(ir_path(out / "merged", model, "FP32"))


def test_rewritten_tiny_ir_matches_and_records_the_merge(tiny_download, tmp_path, monkeypatch):
    plain, merged = convert_both_ways(tiny_model(), tiny_download, tmp_path, monkeypatch)
    assert plain.get_rt_info(["ovzoo", "graph_rewrites", "enabled"]).astype(str) == "false"
    record = read_merged_layers(merged)
    # 4 groups of 2 -> 1 channels merged x4 into one; the 2-group b1_conv-h2h has no x4 merge
    assert set(record) == {"b1_conv-h2l"} and record["b1_conv-h2l"].merged_groups == 1
    kinds = {op.get_friendly_name(): op.get_type_name() for op in merged.get_ordered_ops()}
    assert kinds["b1_conv-h2l"] == "Convolution"
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 32, 32)).astype(np.float32)
    np.testing.assert_allclose(infer(merged, x), infer(plain, x), atol=1e-6)
    assert count_cost(merged) == count_cost(plain)


@pytest.mark.slow
def test_rewritten_octave_resnext_keeps_numbers_and_validator_checks(tmp_path, monkeypatch):
    name = "octave-resnext-50-0.25"
    model = catalog_model(name)
    download = synthetic_checkpoint(name)
    plain, merged = convert_both_ways(model, download, tmp_path, monkeypatch)
    record = read_merged_layers(merged)
    # all 55 grouped layers but 3 depthwise ones and stage 5's 3 (32 channels per group: x4 is past the width cap)
    assert len(record) == 49
    x = np.random.default_rng(0).uniform(0, 255, (1, 3, 224, 224)).astype(np.float32)
    np.testing.assert_allclose(infer(merged, x), infer(plain, x), atol=1e-6)
    assert count_cost(merged) == count_cost(plain)
    # shapes, cost against the card, behaviour, and parity with MXNet, on both rewritten IRs
    report = validate_model(
        model, download, tmp_path / "merged", ("FP32", "FP16"), reference="mxnet", images=8
    )
    assert all(check.passed for check in report.checks), [c for c in report.checks if not c.passed]


def test_python_api_and_mo_command_line_switch_it_off(tiny_download, tmp_path, monkeypatch):
    from ovzoo.cli.__main__ import main  # noqa: PLC0415
    from ovzoo.convert.api import convert_model as api_convert  # noqa: PLC0415

    monkeypatch.setenv("OVZOO_CACHE_DIR", str(tmp_path / "cache"))
    params = tiny_download / "public" / "tiny-octave" / "tiny" / "checkpoint-0-0000.params"
    model = api_convert(params, input_shape=[1, 3, 32, 32], graph_rewrites=False)
    assert model.get_rt_info(["ovzoo", "graph_rewrites", "enabled"]).astype(str) == "false"
    assert not (tmp_path / "cache" / CACHE_FILE).exists()  # nothing measured
    xml = tmp_path / "ir" / "tiny.xml"
    args = [
        "convert",
        "--input_model",
        str(params),
        "--input_shape",
        "[1,3,32,32]",
        "--output_dir",
        str(xml.parent),
    ]
    assert main([*args, "--model_name", "tiny", "--no_graph_rewrites"]) == 0
    assert (
        ov.Core().read_model(xml).get_rt_info(["ovzoo", "graph_rewrites", "enabled"]).astype(str) == "false"
    )


# -- INT8: merging narrow groups so that ovzoo quantize quantizes them -----------------------------


def write_int8_cost_table(model: ov.Model, path: Path, int8_faster: bool) -> None:
    """Float times of each narrow layer as it is, and INT8 times of its merges, favouring INT8 or not."""
    core = ov.Core()
    machine = machine_key(core)
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    table = json.loads(path.read_text()) if path.is_file() else {}
    for candidate in find_candidates(model, int8_merges):
        key = candidate.layer.key()
        table[f"{machine} | {default} | {key}"] = {"1": 1.0}
        merges = int8_merges(candidate.weights.shape)[1:]
        table[f"{machine} | {INT8} | {key}"] = {
            str(m): (0.5 if int8_faster else 2.0) + 0.01 * m for m in merges
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table))


def test_int8_merge_makes_narrow_layers_quantizable_and_stays_exact(tmp_path):
    cache = tmp_path / "costs.json"
    original = narrow_group_model()
    write_int8_cost_table(original, cache, int8_faster=True)
    rewritten = narrow_group_model()
    assert len(narrow_group_convolutions(rewritten)) == 3
    merged = merge_for_int8(rewritten, CostCache(cache), measure=False)
    # the smallest merge to a multiple of 4 (the table favours it): 3->2 x4, 4->6 x2, 3->3 x4
    assert [(m.layer, m.groups, m.merged_groups) for m in merged] == [
        ("gconv0", 32, 8),
        ("gconv1", 16, 8),
        ("gconv2", 32, 8),
    ]
    assert narrow_group_convolutions(rewritten) == []
    assert read_merged_layers(rewritten)["gconv0"].ms[INT8] == (1.0, 0.54)
    x = np.random.default_rng(1).standard_normal((1, 96, 20, 20)).astype(np.float32)
    before, after = infer(original, x), infer(rewritten, x)
    assert np.abs(after - before).max() <= 1e-5 * np.abs(before).max()


def test_int8_merge_only_where_it_measures_faster(tmp_path):
    cache = tmp_path / "costs.json"
    model = narrow_group_model()
    write_int8_cost_table(model, cache, int8_faster=False)
    assert merge_for_int8(model, CostCache(cache), measure=False) == []
    assert len(narrow_group_convolutions(model)) == 3


def test_quantize_merges_then_quantizes_the_narrow_layer(tiny_download, tmp_path, monkeypatch):
    model = replace(tiny_model(), quantizable=True)
    monkeypatch.setenv("OVZOO_CACHE_DIR", str(tmp_path / "cache"))
    convert_model(model, tiny_download, tmp_path / "ir", ("FP32", "FP16"), graph_rewrites=False)
    plain = ov.Core().read_model(ir_path(tmp_path / "ir", model, "FP32"))
    write_int8_cost_table(plain, tmp_path / "cache" / CACHE_FILE, int8_faster=True)
    results = {}
    for rewrites in (True, False):
        out = tmp_path / f"int8-{rewrites}"
        options = QuantizeOptions(
            tmp_path / "ir",
            out,
            Calibration("synthetic", 8),
            ("FP32-INT8", "FP16-INT8"),
            graph_rewrites=rewrites,
        )
        results[rewrites] = {r.precision: r for r in quantize_model(model, options)}
    for precision in ("FP32-INT8", "FP16-INT8"):
        assert [layer.name for layer in results[False][precision].kept_float] == ["b1_conv-h2l"]
        assert results[True][precision].kept_float == ()  # merged 4 x 2->1 -> 1 x 8->4, then quantized
        quantized = ov.Core().read_model(results[True][precision].xml)
        assert read_merged_layers(quantized)["b1_conv-h2l"].merged_groups == 1
        assert count_cost(quantized) == count_cost(plain)  # the card's figures, not the merged layer's
