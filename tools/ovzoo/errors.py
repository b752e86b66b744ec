"""The project's exception tree. Library code raises these; only ``ovzoo.cli`` turns them into exit codes.

Every error carries where it happened as a tuple of labels (config file, model, field, node...),
most general first, so a message reads ``models/x/model.yml: model "x": files[0].size: expected ...``.
The facts a caller may act on (digests, sizes, op lists, node names) are attributes too, not only
words in the message: ``OvzooError(problem, where, url=..., expected=...)`` keeps each keyword as an
attribute and in ``facts``. What a caller learns later goes in with ``add_note``; the one-line
message shows each note in parentheses after the problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class OvzooError(Exception):
    """Root of every error ovzoo raises on purpose."""

    def __init__(self, problem: str, where: tuple[str, ...] = (), **facts: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.where = tuple(where)
        self.facts = dict(facts)
        for name, value in facts.items():
            setattr(self, name, value)

    def __str__(self) -> str:
        notes = "".join(f" ({note})" for note in getattr(self, "__notes__", ()))
        return ": ".join((*self.where, self.problem + notes))

    def within(self, label: str) -> OvzooError:
        """Return self with ``label`` added in front of the context (used by :func:`within`)."""
        self.where = (label, *self.where)
        return self


@contextmanager
def within(label: str) -> Iterator[None]:
    """Prefix ``label`` to the context of any OvzooError raised inside the block."""
    try:
        yield
    except OvzooError as e:
        raise e.within(label) from e.__cause__


class UsageError(OvzooError):
    """Bad command-line usage (exit code 2)."""


class DescriptorError(OvzooError, ValueError):
    """A model.yml (or a models root) that breaks the schema."""


class ModelSelectionError(OvzooError):
    """A --name pattern or --list entry that matches no model."""


class DownloadError(OvzooError):
    """A file could not be fetched."""


class ChecksumMismatch(DownloadError):
    """The bytes arrived but their hash is not the declared one."""

    url: str | None = None
    algorithm: str | None = None
    expected: str | None = None  # hex digests
    actual: str | None = None


class IncompleteDownload(DownloadError):
    """The server sent fewer (or more) bytes than the declared size."""

    url: str | None = None
    expected_size: int | None = None
    actual_size: int | None = None  # None: not known (a server that sends on past the declared size)


class TransientDownloadError(DownloadError):
    """A failure worth retrying: connection error, timeout, 5xx, short read."""


class PostprocessError(OvzooError):
    """An archive that can't be unpacked safely, or a failed regex_replace."""


class UnsafeArchiveError(PostprocessError):
    """An archive member that would escape the model folder or is a special file."""

    archive: str | None = None
    member: str | None = None


class FormatError(OvzooError, ValueError):
    """A malformed MXNet .params or -symbol.json file."""


class ConversionError(OvzooError):
    """The converter can't translate a model."""


class UnsupportedOpsError(ConversionError):
    """One or more MXNet op types have no translator."""

    def __init__(
        self, problem: str, where: tuple[str, ...] = (), ops: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(problem, where)
        self.ops: dict[str, str] = dict(ops or {})  # op type -> its first node's name


class ValidationFailed(OvzooError):
    """One or more validator checks failed."""


class QuantizationError(OvzooError):
    """Post-training quantization can't run (not quantizable, no data...)."""


class BenchmarkError(OvzooError):
    """benchmark_app or the reference timing failed."""


class ModelNotDownloaded(OvzooError, FileNotFoundError):
    """A step needs files that are not in the download directory yet."""


class ExportError(OvzooError):
    """A model repository can't be written (missing IR, a version with other content, a bad config.json)."""


class ServeError(OvzooError):
    """A model repository can't be served (no config.json, a bad entry, an IR that doesn't load)."""


class InferenceRequestError(ServeError):
    """A request ``ovzoo serve`` refuses; ``status`` is the HTTP status it answers with (4xx)."""

    def __init__(self, problem: str, where: tuple[str, ...] = (), status: int = 400) -> None:
        super().__init__(problem, where)
        self.status = status
