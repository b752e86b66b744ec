"""``ovzoo info`` (alias ``ovzoo_info_dumper``): print catalog facts about models as a JSON array."""

from __future__ import annotations

import argparse
import json
import sys

from ovzoo.catalog.model import Model
from ovzoo.catalog.summary import model_info
from ovzoo.cli.common import add_model_selection_args, command_parser, run_on_models


def build_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        prog="ovzoo info",
        description="Print what the catalog knows about the chosen models, as a JSON array "
        "(the omz_info_dumper fields, plus output_info and card).",
    )
    add_model_selection_args(parser)
    return parser


def main(argv: list[str]) -> int:
    return run_on_models(build_parser(), argv, run, allow_empty=True)


def run(args: argparse.Namespace, models: list[Model]) -> int:
    json.dump([model_info(m) for m in models], sys.stdout, indent=4)
    print()
    return 0
