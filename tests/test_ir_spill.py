"""Spilled weights: out of the process's memory, the same values, and the same IR files."""

from __future__ import annotations

import filecmp
import resource
import signal
import subprocess
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8
from openvino._offline_transformations import compress_model_transformation

from ovzoo.cli.__main__ import main
from ovzoo.convert.converter import convert_model
from ovzoo.errors import ConversionError
from ovzoo.ir import fp16, spill
from support.checkpoints import catalog_model, synthetic_checkpoint
from support.cli_process import checkout_env, ovzoo_command


def _scratch_rss_kib(directory: Path) -> int:
    """Resident KiB of this process's mappings of (unlinked) files in ``directory``."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a mapping's header line
            inside = f" {directory}/" in line
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


def test_spilled_weights_stay_out_of_memory_until_read_and_leave_when_released(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    originals = [rng.standard_normal((256, 256, 3, 3), dtype=np.float32) for _ in range(4)]  # 9 MiB
    with spill.spilling(tmp_path):
        kept = [spill.keep(a) for a in originals]
        assert _scratch_rss_kib(tmp_path) < 64  # written with pwrite: no page of them is mapped in yet
        constants = [ov.op.Constant(k, shared_memory=True) for k in kept]
        for constant, original in zip(constants, originals, strict=True):
            np.testing.assert_array_equal(constant.get_data(), original)
        read_in = _scratch_rss_kib(tmp_path)
        assert read_in > 8 << 10  # reading mapped them in
        spill.release(kept[0][:100])  # a slice: its pages (the kernel may take a few around them)
        assert 4 << 10 < _scratch_rss_kib(tmp_path) < read_in
        np.testing.assert_array_equal(constants[0].get_data(), originals[0])
        spill.release_all()
        assert _scratch_rss_kib(tmp_path) < 64
        np.testing.assert_array_equal(constants[2].get_data(), originals[2])  # back from the file
    assert [p.name for p in tmp_path.iterdir()] == []  # the scratch file was never visible
    del kept
    np.testing.assert_array_equal(constants[3].get_data(), originals[3])  # outlives the block


def test_small_arrays_and_arrays_outside_spilling_are_kept_as_they_are(tmp_path: Path) -> None:
    big = np.ones((spill.MIN_SPILLED_BYTES // 4,), np.float32)
    assert spill.keep(big) is big  # not spilling
    with spill.spilling(tmp_path):
        small = np.ones(16, np.float32)
        assert spill.keep(small) is small
        assert spill.keep(big) is not big
        spill.release(small)  # not spilled: nothing happens


def test_parts_that_do_not_add_up_are_refused(tmp_path: Path) -> None:
    with spill.spilling(tmp_path):
        with pytest.raises(ValueError, match="of an array's"):
            spill.keep_parts((4, 1024), np.dtype(np.float32), [np.zeros(1024, np.float32)])
        with pytest.raises(ValueError, match="overrun"):
            spill.keep_parts((1024,), np.dtype(np.float32), [np.zeros(2048, np.float32)])
        joined = spill.keep_parts((2, 1024), np.dtype(np.float32), [np.zeros(1024), np.ones(1024)])
        np.testing.assert_array_equal(joined, np.repeat([[0.0], [1.0]], 1024, axis=1))


def test_an_unwritable_output_dir_is_one_conversion_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConversionError, match="scratch file") as caught:
        with spill.spilling(blocker / "out"):
            pass
    assert str(blocker / "out") in str(caught.value)


def _weights_model(values: list[np.ndarray]) -> ov.Model:
    """One convolution-free graph per case: each weight read by Multiply (a plain reader), one read twice."""
    x = opset8.parameter([1, values[0].size], np.float32, name="x")
    outputs = []
    for i, array in enumerate(values):
        weight = opset8.constant(array.reshape(1, -1))
        weight.set_friendly_name(f"w{i}")
        if i == 1:
            weight.output(0).get_tensor().set_names({"named_weight"})
        outputs.append(opset8.multiply(x, weight))
        if i == 2:
            outputs.append(opset8.add(x, weight))  # a second reader of the same weight
    results = []
    for i, output in enumerate(outputs):  # auto names come from a process-wide counter
        output.set_friendly_name(f"op{i}")
        output.output(0).get_tensor().set_names({f"out{i}"})
        results.append(opset8.result(output))
        results[-1].set_friendly_name(f"out{i}/sink_port_0")
    return ov.Model(results, [x], "weights")


def _compression_cases(size: int) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    plain = rng.standard_normal(size).astype(np.float32)
    clamped = plain * 1e5  # beyond f16's largest: clamped, and out of range for the 75 % rule
    tiny = np.full(size, 1e-9, np.float32)  # below f16's smallest: the whole weight stays f32
    one_part_tiny = plain.copy()
    one_part_tiny[: size // 4] = 1e-9  # a part is all out of range, the whole only a quarter
    three_quarters = plain.copy()
    three_quarters[: size * 3 // 4] = 1e-9  # exactly 75 %: stays f32
    return [plain, clamped, tiny, one_part_tiny, three_quarters]


def _weight_types(model: ov.Model) -> dict[str, str]:
    return {
        op.get_friendly_name(): op.get_output_element_type(0).get_type_name()
        for op in model.get_ops()
        if op.get_type_name() == "Constant" and op.get_friendly_name().startswith("w")
    }


def _serialized(model: ov.Model, path: Path) -> Path:
    ov.serialize(model, str(path))
    return path


def test_compressing_weight_by_weight_writes_what_openvino_writes_for_the_whole_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fp16, "PART_VALUES", 1 << 14)  # four parts per weight
    size = 1 << 16
    expected = _weights_model(_compression_cases(size))
    compress_model_transformation(expected)
    with spill.spilling(tmp_path / "scratch"):
        compressed = fp16.compress_weights_to_fp16(_weights_model(_compression_cases(size)), in_place=True)
        a = _serialized(expected, tmp_path / "expected.xml")
        b = _serialized(compressed, tmp_path / "by_weight.xml")
    kinds = _weight_types(compressed)
    assert kinds == _weight_types(expected)
    assert kinds["w0_compressed"] == "f16" and kinds["w2"] == "f32"  # both outcomes are covered
    for ext in (".xml", ".bin"):
        assert filecmp.cmp(a.with_suffix(ext), b.with_suffix(ext), shallow=False), ext


@pytest.mark.parametrize("name", ["octave-resnet-26-0.25", "octave-se-resnet-50-0.125"])
def test_a_conversion_with_spilled_weights_writes_the_same_irs(tmp_path: Path, name: str) -> None:
    download_dir = synthetic_checkpoint(name)
    model = catalog_model(name)
    spilled = convert_model(model, download_dir, tmp_path / "spilled")
    held = convert_model(model, download_dir, tmp_path / "held", spill_weights=False)  # --weights_in memory
    for precision, xml in spilled.irs.items():
        for ext in (".xml", ".bin"):
            assert filecmp.cmp(xml.with_suffix(ext), held.irs[precision].with_suffix(ext), shallow=False)
    produced = {p.relative_to(tmp_path / "spilled") for p in (tmp_path / "spilled").rglob("*") if p.is_file()}
    assert produced == {  # no scratch file left behind
        xml.relative_to(tmp_path / "spilled").with_suffix(ext)
        for xml in spilled.irs.values()
        for ext in (".xml", ".bin")
    }


def test_the_mo_form_writes_the_same_ir_with_the_weights_on_disk(tmp_path: Path) -> None:
    params = next(synthetic_checkpoint("octave-resnext-50-0.25").rglob("*.params"))
    args = ["convert", "--input_model", str(params), "--input_shape", "[1,3,224,224]"]  # FP16, as mo did
    args += ["--model_name", "m", "--output_dir", str(tmp_path / "out")]
    assert main([*args, "--weights_in", "disk"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["m.bin", "m.xml"]  # no scratch file
    (tmp_path / "out").rename(tmp_path / "spilled")  # (the output dir is recorded in the IR)
    assert main(args) == 0  # in memory, the mo form's default
    for ext in (".xml", ".bin"):
        assert filecmp.cmp(tmp_path / "spilled" / f"m{ext}", tmp_path / "out" / f"m{ext}", shallow=False)


@pytest.mark.parametrize("value", ["ram", ""])
def test_a_bad_place_for_the_weights_is_a_usage_error(tmp_path: Path, value: str, capsys) -> None:
    params = next(synthetic_checkpoint("octave-resnet-26-0.25").rglob("*.params"))
    args = ["convert", "--input_model", str(params), "--output_dir", str(tmp_path)]
    assert main([*args, f"--weights_in={value}"]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "--weights_in: expected one of disk, memory" in error[0]
    with pytest.raises(SystemExit) as exited:  # argparse's own refusal, in the catalog form
        main(
            ["convert", "--name", "octave-resnet-26-0.25", "--weights_in", value or "x", "-o", str(tmp_path)]
        )
    assert exited.value.code == 2
    assert not list(tmp_path.iterdir())


def _small_files() -> None:  # in the child: writes past 4 MiB fail with EFBIG instead of killing it
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4 << 20, 4 << 20))


def test_a_scratch_file_that_cannot_grow_is_one_error_and_leaves_nothing(tmp_path: Path) -> None:
    download_dir = synthetic_checkpoint("octave-resnet-26-0.25")
    out = tmp_path / "out"
    args = ["--name", "octave-resnet-26-0.25", "-d", str(download_dir), "-o", str(out)]
    done = subprocess.run(
        ovzoo_command("convert", *args),
        capture_output=True,
        text=True,
        env=checkout_env(),
        timeout=300,
        check=False,
        preexec_fn=_small_files,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "scratch file" in line]
    assert len(errors) == 1 and "octave-resnet-26-0.25" in errors[0] and str(out) in errors[0], done.stderr
    assert "--weights_in memory" in errors[0]
    assert not [p for p in out.rglob("*") if p.is_file()]  # no IR, no scratch file
