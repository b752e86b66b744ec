"""Which progress output a run gets, and that each kind writes whole lines."""

from __future__ import annotations

import io

import pytest

from ovzoo.download.progress import BarProgress, JsonProgress, TextProgress, make_reporter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("progress_format", "jobs", "stream", "expected"),
    [
        ("json", 1, Terminal(), JsonProgress),
        ("text", 1, Terminal(), BarProgress),
        ("text", 2, Terminal(), TextProgress),  # bars from parallel jobs would fight over the screen
        ("text", 1, io.StringIO(), TextProgress),
    ],
    ids=["json", "terminal", "terminal-parallel", "pipe"],
)
def test_reporter_choice(progress_format: str, jobs: int, stream: io.StringIO, expected: type) -> None:
    assert type(make_reporter(progress_format, jobs, stream, io.StringIO())) is expected  # type: ignore[arg-type]


def test_a_bar_per_file_on_a_terminal() -> None:
    stream = Terminal()
    reporter = BarProgress(stream)
    reporter.model_begin("m", 1)
    reporter.file_begin("m", "w.bin", 4_000_000)
    for done in range(0, 4_000_001, 1_000_000):
        reporter.file_progress("m", "w.bin", done, 4_000_000)
    reporter.file_end("m", "w.bin", True, "downloaded")
    reporter.model_end("m", True)
    output = stream.getvalue()
    assert "w.bin: 100%" in output and output.endswith("... m/w.bin: downloaded\n")


def test_plain_text_reports_every_ten_percent_and_a_resume() -> None:
    stream = io.StringIO()
    reporter = TextProgress(stream)
    reporter.file_begin("m", "w.bin", 1000)
    for done in range(500, 1001, 50):
        reporter.file_progress("m", "w.bin", done, 1000)
    lines = stream.getvalue().splitlines()
    assert lines[1] == "... m/w.bin: resuming at 50%, 0.0 MB"
    assert [line.split(": ")[1].split("%")[0] for line in lines[2:]] == ["60", "70", "80", "90", "100"]
