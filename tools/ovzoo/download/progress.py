"""Progress output: a tqdm bar per file on a terminal, plain lines otherwise, or JSON lines.

The JSON events carry the public model-zoo tools' names (``model_download_begin`` ...) with the
model/file context merged in. Writers share one lock, so lines from parallel jobs never interleave;
plain text from parallel jobs is held back per model and written as one block when the model ends.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Literal, TextIO

from tqdm import tqdm

ProgressFormat = Literal["text", "json"]
TEXT_STEP_PERCENT = 10  # plain-text progress prints a line every this many percent


class ProgressReporter:
    """Receives download events; the base class ignores them all."""

    def model_begin(self, model: str, num_files: int) -> None: ...

    def file_begin(self, model: str, file: str, size: int) -> None: ...

    def file_progress(self, model: str, file: str, done: int, size: int) -> None: ...

    def file_end(self, model: str, file: str, successful: bool, how: str = "") -> None: ...

    def model_end(self, model: str, successful: bool) -> None: ...

    def postprocessing_begin(self, model: str) -> None: ...

    def postprocessing_end(self, model: str) -> None: ...


class JsonProgress(ProgressReporter):
    """One JSON object per line, ``{"$type": <event>, "model": ..., ...}``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._last_percent: dict[tuple[str, str], int] = {}

    def _emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"$type": event, **fields})
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()

    def model_begin(self, model: str, num_files: int) -> None:
        self._emit("model_download_begin", model=model, num_files=num_files)

    def file_begin(self, model: str, file: str, size: int) -> None:
        self._emit("model_file_download_begin", model=model, model_file=file, size=size)

    def file_progress(self, model: str, file: str, done: int, size: int) -> None:
        percent = done * 100 // size if size else 100
        if self._last_percent.get((model, file)) == percent:
            return  # one event per percent is plenty for a 100 MB file
        self._last_percent[(model, file)] = percent
        self._emit("model_file_download_progress", model=model, model_file=file, size=done)

    def file_end(self, model: str, file: str, successful: bool, how: str = "") -> None:
        self._last_percent.pop((model, file), None)
        self._emit("model_file_download_end", model=model, model_file=file, successful=successful)

    def model_end(self, model: str, successful: bool) -> None:
        self._emit("model_download_end", model=model, successful=successful)

    def postprocessing_begin(self, model: str) -> None:
        self._emit("model_postprocessing_begin", model=model)

    def postprocessing_end(self, model: str) -> None:
        self._emit("model_postprocessing_end", model=model)


class TextProgress(ProgressReporter):
    """Plain lines for logs and pipes; with ``grouped`` each model's lines come out as one block."""

    def __init__(self, stream: TextIO, grouped: bool = False) -> None:
        self._stream = stream
        self._grouped = grouped
        self._lock = threading.Lock()
        self._pending: dict[str, list[str]] = {}
        self._last_step: dict[tuple[str, str], int] = {}

    def _line(self, model: str, text: str) -> None:
        if self._grouped:
            with self._lock:
                self._pending.setdefault(model, []).append(text)
            return
        with self._lock:
            self._stream.write(text + "\n")
            self._stream.flush()

    def model_begin(self, model: str, num_files: int) -> None:
        self._line(model, f"################|| Downloading {model} ||################")

    def file_begin(self, model: str, file: str, size: int) -> None:
        self._line(model, f"========== {model}/{file} ({_megabytes(size)})")

    def file_progress(self, model: str, file: str, done: int, size: int) -> None:
        step = (done * 100 // size if size else 100) // TEXT_STEP_PERCENT
        key = (model, file)
        if key not in self._last_step:
            self._last_step[key] = step  # the first call reports bytes already present (a resume)
            if done:
                self._line(
                    model, f"... {model}/{file}: resuming at {done * 100 // size}%, {_megabytes(done)}"
                )
            return
        if step > self._last_step[key]:
            self._last_step[key] = step
            self._line(model, f"... {model}/{file}: {step * TEXT_STEP_PERCENT}%, {_megabytes(done)}")

    def file_end(self, model: str, file: str, successful: bool, how: str = "") -> None:
        self._last_step.pop((model, file), None)
        self._line(
            model, f"... {model}/{file}: {how or 'done'}" if successful else f"... {model}/{file}: FAILED"
        )

    def model_end(self, model: str, successful: bool) -> None:
        if not successful:
            self._line(model, f"{model}: FAILED")
        if self._grouped:
            with self._lock:
                lines = self._pending.pop(model, [])
                self._stream.write("".join(line + "\n" for line in lines))
                self._stream.flush()

    def postprocessing_begin(self, model: str) -> None:
        self._line(model, f"========== Postprocessing {model}")


class BarProgress(TextProgress):
    """Text lines plus a tqdm bar per file (a terminal, one job at a time)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._bars: dict[tuple[str, str], tqdm] = {}

    def file_begin(self, model: str, file: str, size: int) -> None:
        super().file_begin(model, file, size)
        self._bars[(model, file)] = tqdm(
            total=size,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=self._stream,
            leave=True,
            desc=file,
            dynamic_ncols=True,
        )

    def file_progress(self, model: str, file: str, done: int, size: int) -> None:
        bar = self._bars.get((model, file))
        if bar is not None:
            bar.update(done - bar.n)

    def file_end(self, model: str, file: str, successful: bool, how: str = "") -> None:
        bar = self._bars.pop((model, file), None)
        if bar is not None:
            bar.close()
        super().file_end(model, file, successful, how)


def make_reporter(
    progress_format: ProgressFormat, jobs: int, text_stream: TextIO, json_stream: TextIO
) -> ProgressReporter:
    """The reporter for a format: JSON lines, a bar on a terminal with one job, else plain lines."""
    if progress_format == "json":
        return JsonProgress(json_stream)
    if jobs == 1 and text_stream.isatty():
        return BarProgress(text_stream)
    return TextProgress(text_stream, grouped=jobs > 1)


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"
