"""``ovzoo export --format ovms``: converted IRs -> an OpenVINO Model Server repository + config.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from ovzoo.catalog.model import Model
from ovzoo.cli.common import (
    add_dry_run,
    add_model_selection_args,
    command_parser,
    positive_int,
    precision_list,
    report_failures,
    run_on_models,
)
from ovzoo.export.repository import EXPORT_PRECISIONS, ExportOptions, export_models

FORMATS = ("ovms",)


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo export",
        description="Lay converted IRs out as a model repository (<repo>/<name>/<version>/<name>.xml|.bin) "
        "and merge one entry per model into <repo>/config.json. Served as is by 'ovzoo serve', "
        "OpenVINO Model Server and KServe.",
    )
    add_model_selection_args(parser)
    parser.add_argument("--format", choices=FORMATS, default="ovms", help="repository format (default: ovms)")
    parser.add_argument(
        "-d",
        "--download_dir",
        type=Path,
        default=Path.cwd(),
        help="where ovzoo convert (or quantize) wrote <dir>/public/<name>/<PREC>/ (default: current directory)",
    )
    parser.add_argument("-o", "--output_dir", type=Path, required=True, metavar="REPO", help="the repository")
    parser.add_argument(
        "--precisions",
        type=precision_list(EXPORT_PRECISIONS),
        default=("FP16",),
        metavar="PREC[,PREC]",
        help=f"IRs to export: {','.join(EXPORT_PRECISIONS)} (default: FP16). With one precision a model is "
        "served under its own name; with several, as <name>-<prec> each (lower case)",
    )
    parser.add_argument(
        "--version", type=positive_int, default=1, help="version folder to write (default: 1)"
    )
    parser.add_argument("--target_device", default="CPU", help="target_device in config.json (default: CPU)")
    add_dry_run(parser)
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    options = ExportOptions(
        ir_dir=args.download_dir,
        repository=args.output_dir,
        precisions=args.precisions,
        version=args.version,
        target_device=args.target_device,
        dry_run=args.dry_run,
    )
    report = export_models(models, options)
    if not report.ok:
        return report_failures("export", report.failures, "FAILED (nothing written):")
    would = "would write " if report.dry_run else ""
    for item in report.exported:
        print(
            f"{item.model} {item.precision}: {would}{item.version_dir} ({item.action}; served as {item.served_name})"
        )
    state = "changed" if report.config_changed else "unchanged"
    print(f"config: {would}{report.config_path} ({state})")
    return 0
