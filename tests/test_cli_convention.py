"""One flag convention for every command (README, "Flags every command shares")."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

from ovzoo.cli.__main__ import COMMANDS, run_command
from ovzoo.cli.common import CommandParser

# commands that write files: each takes --dry_run
WRITERS = ("accuracy", "benchmark", "convert", "demo", "download", "export", "quantize", "synth", "validate")
# commands that read checkpoints from -d and IRs from (or write them to) -o, the -o default being -d
DIRECTORY_PAIR = ("benchmark", "convert", "quantize", "validate")


def parser_of(command: str) -> argparse.ArgumentParser:
    module = importlib.import_module(f"ovzoo.cli.{COMMANDS[command]}")
    parser: argparse.ArgumentParser = module.build_parser()
    return parser


def long_options(parser: argparse.ArgumentParser) -> list[str]:
    return [o for action in parser._actions for o in action.option_strings if o.startswith("--")]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_long_flags_are_spelled_with_underscores(command: str) -> None:
    dashed = [o for o in long_options(parser_of(command)) if "-" in o[2:]]
    assert not dashed, f"ovzoo {command}: {dashed}"


@pytest.mark.parametrize("command", WRITERS)
def test_commands_that_write_take_dry_run_and_its_dashed_alias(command: str) -> None:
    parser = parser_of(command)
    assert "--dry_run" in long_options(parser)
    action = parser._option_string_actions["--dry_run"]
    assert isinstance(action, argparse._StoreTrueAction) and action.dest == "dry_run"
    assert isinstance(parser, CommandParser) and parser._public_spelling("--dry-run") == "--dry_run"


@pytest.mark.parametrize("command", DIRECTORY_PAIR)
def test_d_and_o_mean_the_same_everywhere(command: str, tmp_path: Path) -> None:
    parser = parser_of(command)
    args, _ = parser.parse_known_args(["-d", str(tmp_path)])
    assert (args.download_dir, args.output_dir) == (tmp_path, None)  # -o falls back to -d
    args, _ = parser.parse_known_args(["-o", str(tmp_path)])
    assert (args.download_dir, args.output_dir) == (Path.cwd(), tmp_path)


def test_dashed_alias_with_a_value_and_an_equals_sign() -> None:
    parser = parser_of("quantize")
    args, _ = parser.parse_known_args(["--subset-size=7", "--quantize-all-layers"])
    assert (args.subset_size, args.quantize_all_layers) == (7, True)
    args, _ = parser_of("download").parse_known_args(["--num-attempts", "5"])
    assert args.num_attempts == 5


def test_an_unknown_dashed_flag_is_still_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parser_of("convert").parse_args(["--all", "--no-such-flag"])
    assert caught.value.code == 2
    assert "--no-such-flag" in capsys.readouterr().err


def test_model_selection_is_one_helper() -> None:
    """run_on_models owns parsing, --print_all and the empty selection; no command repeats that block."""
    cli = Path(importlib.import_module("ovzoo.cli").__file__ or "").parent
    texts = {p.name: p.read_text() for p in cli.glob("*.py") if p.name != "common.py"}
    repeated = [
        name for name, text in texts.items() if "no models selected" in text or "select_from_args(" in text
    ]
    assert not repeated


@pytest.mark.parametrize(
    "command, extra",
    [
        ("download", []),
        ("convert", ["-d"]),
        ("quantize", ["--synthetic", "-d"]),
        ("validate", ["-d"]),
        ("benchmark", ["-d"]),
    ],
)
def test_dry_run_writes_nothing(
    command: str, extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["--name", "octave-digits-tiny", "--dry_run", *extra, *([str(out)] if extra else ["-o", str(out)])]
    if command == "benchmark":
        argv += ["--output", str(out / "bench")]
    assert run_command(command, argv) == 0
    printed = capsys.readouterr().out
    assert "octave-digits-tiny" in printed and str(out) in printed
    assert not out.exists()


def test_diagnostics_follow_stderr_when_the_host_swaps_it(monkeypatch) -> None:
    """An in-process run leaves its log handler behind; a later record must not hit a closed stream."""
    import io
    import logging

    from ovzoo.cli.__main__ import configure_logging

    first = io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    configure_logging()
    first.close()  # what pytest's capture does to the stream of a finished test
    second = io.StringIO()
    monkeypatch.setattr("sys.stderr", second)
    logging.getLogger("ovzoo.test").info("after the swap")
    assert second.getvalue() == "after the swap\n"
