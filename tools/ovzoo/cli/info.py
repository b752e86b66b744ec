"""``ovzoo info`` (alias ``ovzoo_info_dumper``): print catalog facts about models as a JSON array."""

from __future__ import annotations

import argparse
import json
import sys

from ovzoo.catalog.summary import model_info
from ovzoo.cli.common import add_model_selection_args, select_from_args


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="ovzoo info",
        description="Print what the catalog knows about the chosen models, as a JSON array "
        "(the omz_info_dumper fields, plus output_info and card).",
    )
    add_model_selection_args(parser)
    args = parser.parse_args(argv)
    models = select_from_args(args)
    if models is None:
        return 0
    json.dump([model_info(m) for m in models], sys.stdout, indent=4)
    print()
    return 0
