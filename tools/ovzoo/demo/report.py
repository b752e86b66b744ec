"""``report.md`` of ``ovzoo demo``: what ran, the validation and benchmark tables, the chart, next steps."""

from __future__ import annotations

import os

import openvino as ov

import ovzoo
from ovzoo.benchmark import format_measurements
from ovzoo.catalog.model import Model
from ovzoo.demo.records import DemoOptions, DemoResult
from ovzoo.tables import markdown_table
from ovzoo.validate.report import format_reports
from ovzoo.zoo.synth import SynthArchive


def render_report(model: Model, archive: SynthArchive, result: DemoResult, options: DemoOptions) -> str:
    """The Markdown report; paths in it are relative to the report's folder."""
    out = result.report_md.parent
    validation, benchmark = result.validation, result.benchmark
    verdict = (
        "all checks passed"
        if validation is not None and validation.passed
        else f"{len(validation.failed) if validation else '?'} checks FAILED"
    )
    lines = [
        f"# ovzoo demo: {model.name}",
        "",
        "> **The weights are synthetic.** The real checkpoint "
        f"(`{model.files[0].name}` from dl.fbaipublicfiles.com) can't be fetched on this machine, so "
        f"`ovzoo demo` built a stand-in with the upstream architecture, names, shapes and archive layout "
        f"(seed {options.seed}, sha384 `{archive.sha384[:16]}...`). The figures below check the *pipeline* "
        "(download, conversion, preprocessing, numerics, speed); they say nothing about ImageNet accuracy.",
        "",
        f"ovzoo {ovzoo.__version__}, OpenVINO {ov.get_version().split('-')[0]}, {os.cpu_count()} CPU cores. "
        f"Validation: **{verdict}**.",
        "",
        "## What ran",
        "",
        markdown_table(
            ("stage", "seconds"),
            [(name, f"{seconds:.1f}") for name, seconds in result.stage_seconds.items() if name != "total"]
            + [("**total** (until the report)", f"{result.stage_seconds.get('total', 0):.1f}")],
        ),
        "",
        *[f"- {note}" for note in result.notes],
        "",
        f"Mirror: {model.files[0].source} (loopback), download dir `{_relative(out / 'download', out)}`, "
        f"IRs under `{_relative(out / 'ir', out)}`.",
        "",
        "## Validation against the MXNet original",
        "",
        format_reports([validation], markdown=True) if validation is not None else "(not run)",
        "",
        "## Benchmark (benchmark_app vs MXNet, batch 1, latency hint)",
        "",
        format_measurements(benchmark.measurements, markdown=True) if benchmark is not None else "(not run)",
        "",
    ]
    if benchmark is not None and benchmark.chart is not None:
        lines += [f"![FPS per precision]({_relative(benchmark.chart, out)})", ""]
    if benchmark is not None and benchmark.failures:
        lines += ["Benchmark failures:", "", *[f"- {failure}" for failure in benchmark.failures], ""]
    lines += [
        "## The same on the real model",
        "",
        "Where dl.fbaipublicfiles.com is reachable:",
        "",
        "```sh",
        f"ovzoo download --name {model.name} -o ~/ovzoo-models",
        f"ovzoo convert  --name {model.name} -d ~/ovzoo-models -o ~/ovzoo-ir",
        f"ovzoo validate --name {model.name} -d ~/ovzoo-models -o ~/ovzoo-ir --json validation.json",
        f"ovzoo benchmark --name {model.name} -d ~/ovzoo-models -o ~/ovzoo-ir --output benchmark-out",
        "```",
        "",
    ]
    return "\n".join(lines)


def _relative(path, start) -> str:  # noqa: ANN001
    return os.path.relpath(path, start)
