"""``ovzoo benchmark``: the real benchmark_app and the real MXNet original on the tiny checkpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ovzoo.benchmark import BenchmarkOptions, benchmark_app_command, parse_benchmark_report, run_benchmarks
from ovzoo.convert.converter import convert_model
from ovzoo.errors import BenchmarkError
from ovzoo.vocabulary.layout import ir_path
from support.checkpoints import tiny_checkpoint, tiny_model

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    root = tmp_path_factory.mktemp("benchmark")
    download_dir, ir_dir = root / "download", root / "ir"
    tiny_checkpoint(download_dir)
    model = tiny_model()
    convert_model(model, download_dir, ir_dir, ("FP32", "FP16"))
    return model, download_dir, ir_dir


def test_benchmarks_irs_and_the_original_side_by_side(tiny: tuple, tmp_path: Path) -> None:
    model, download_dir, ir_dir = tiny
    options = BenchmarkOptions(seconds=1, infer_precisions=("f32",))
    report = run_benchmarks([model], ir_dir, ("FP32", "FP16"), options, tmp_path, download_dir, "mxnet")
    assert report.ok, report.failures
    rows = {(m.precision, m.infer_precision): m for m in report.measurements}
    assert set(rows) == {("FP32", "f32"), ("FP16", "f32"), ("MXNet", "f32")}
    assert all(m.fps > 0 and m.median_latency_ms > 0 and m.iterations > 0 for m in rows.values())
    # the claim the table makes: the IR runs faster than the MXNet original (on this tiny model by far:
    # MXNet pays its per-call overhead, benchmark_app does not), and the file says the same as the table
    assert rows["FP32", "f32"].speedup is not None and rows["FP32", "f32"].speedup > 1
    document = json.loads(report.results_json.read_text())
    assert [r["precision"] for r in document["results"]] == ["FP32", "FP16", "MXNet"]
    assert [r["speedup"] for r in document["results"]] == [
        rows[p, "f32"].speedup for p in ("FP32", "FP16", "MXNet")
    ]
    assert (tmp_path / "benchmark_app" / model.name / "FP32-f32" / "benchmark_report.json").is_file()
    assert report.chart is not None and report.chart.read_bytes().startswith(PNG_MAGIC)


def test_achieved_gflops_come_from_the_card(tiny: tuple, tmp_path: Path) -> None:
    from dataclasses import replace

    from ovzoo.catalog.model import ModelCard

    model, download_dir, ir_dir = tiny
    carded = replace(model, card=ModelCard(gflops=2.0))
    report = run_benchmarks(
        [carded], ir_dir, ("FP32",), BenchmarkOptions(seconds=1), tmp_path, download_dir, "none"
    )
    (row,) = report.measurements
    assert row.gflops_per_s == pytest.approx(2.0 * row.fps) and row.speedup is None


def test_a_broken_ir_is_reported_not_raised(tiny: tuple, tmp_path: Path) -> None:
    model, download_dir, ir_dir = tiny
    broken = tmp_path / "ir"
    xml = ir_path(broken, model, "FP32")
    xml.parent.mkdir(parents=True)
    xml.write_text(ir_path(ir_dir, model, "FP32").read_text())
    xml.with_suffix(".bin").write_bytes(b"\0" * 16)  # weights cut short
    report = run_benchmarks(
        [model], broken, ("FP32",), BenchmarkOptions(seconds=1), tmp_path / "out", None, "none"
    )
    assert not report.ok and report.measurements == ()
    (failure,) = report.failures
    assert (failure.model, failure.precision) == (model.name, "FP32")
    assert f"can't read {xml}" in str(failure.error)


@pytest.mark.parametrize(
    ("options", "flags"),
    [
        pytest.param(
            BenchmarkOptions(seconds=2.5),
            ["-t", "3", "-hint", "latency", "-infer_precision", "f32"],
            id="f32",
        ),
        pytest.param(
            BenchmarkOptions(infer_precisions=("default",)), [], id="default-precision-adds-no-flag"
        ),
        pytest.param(BenchmarkOptions(batch=4), ["-shape", "[4,3,224,224]"], id="batch-via-shape"),
        pytest.param(BenchmarkOptions(hint="throughput"), ["-hint", "throughput"], id="throughput"),
    ],
)
def test_command_line(options: BenchmarkOptions, flags: list[str], tmp_path: Path) -> None:
    precision = options.infer_precisions[0]
    command = benchmark_app_command(Path("m.xml"), options, precision, (1, 3, 224, 224), tmp_path)
    assert Path(command[0]).name == "benchmark_app"
    assert "-json_stats" in command and command[command.index("-report_folder") + 1] == str(tmp_path)
    assert "-ip" not in command  # -ip sets the input tensor type, not the inference precision
    joined = " ".join(command)
    for flag, value in zip(flags[::2], flags[1::2], strict=True):
        assert f"{flag} {value}" in joined
    if precision == "default":
        assert "-infer_precision" not in command


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            '{"execution_results": {"throughput": "12.5", "latency (ms)": "80.1", '
            '"total number of iterations": "25"}}',
            None,
            id="strings-in-ms",
        ),
        pytest.param('{"execution_results": {"throughput": "12.5"}}', "latency (ms)", id="missing-key"),
        pytest.param("not json", "unreadable", id="not-json"),
    ],
)
def test_parse_report(content: str, error: str | None, tmp_path: Path) -> None:
    path = tmp_path / "benchmark_report.json"
    path.write_text(content)
    if error is None:
        timing = parse_benchmark_report(path)
        assert (timing.fps, timing.median_latency_ms, timing.iterations) == (12.5, 80.1, 25)
    else:
        with pytest.raises(BenchmarkError, match=re.escape(error)):
            parse_benchmark_report(path)
