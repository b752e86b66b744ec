"""Download whole models: every file of each model, through the cache, then its postprocessing."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ovzoo.catalog.model import Model, ModelFile
from ovzoo.download.cache import BlobCache
from ovzoo.download.fetch import RetryPolicy, fetch_file
from ovzoo.download.hashing import file_matches
from ovzoo.download.postprocess import run_postprocessing
from ovzoo.download.progress import ProgressFormat, ProgressReporter, make_reporter
from ovzoo.download.session import new_session
from ovzoo.download.sources import candidate_urls, check_mirror
from ovzoo.errors import DownloadError, OvzooError, UsageError, within
from ovzoo.outcome import Outcomes
from ovzoo.vocabulary.layout import model_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DownloadOptions:
    output_dir: Path
    cache_dir: Path | None = None  # None: no cache
    num_attempts: int = 3
    mirrors: tuple[str, ...] = ()
    timeout: float = 60.0  # seconds, for connecting and for each read
    jobs: int = 1  # models downloaded in parallel
    progress_format: ProgressFormat = "text"
    retry_delay: float = 1.0  # first backoff in seconds; doubles per failed round

    def __post_init__(self) -> None:
        if self.num_attempts < 1:
            raise UsageError(f"num_attempts must be at least 1, got {self.num_attempts}")
        if self.jobs < 1:
            raise UsageError(f"jobs must be at least 1, got {self.jobs}")
        if self.timeout <= 0:
            raise UsageError(f"timeout must be positive, got {self.timeout}")
        for mirror in self.mirrors:
            check_mirror(mirror)


@dataclass(frozen=True)
class ModelResult:
    name: str
    directory: Path
    error: OvzooError | None = None  # what failed, with the model and file in its context

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class DownloadReport(Outcomes):
    results: tuple[ModelResult, ...] = field(default_factory=tuple)


def download_models(
    models: Sequence[Model], options: DownloadOptions, reporter: ProgressReporter | None = None
) -> DownloadReport:
    """Download and postprocess ``models`` into ``<output_dir>/<subdirectory>``; never raises for one model.

    A model whose download or postprocessing fails is reported in ``DownloadReport.failed`` and
    logged; the others go on.
    """
    if reporter is None:
        reporter = make_reporter(options.progress_format, options.jobs, sys.stderr, sys.stdout)
    job = _DownloadJob(options, reporter)
    if options.jobs == 1 or len(models) <= 1:
        results = [job.download_model(model) for model in models]
    else:
        with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="ovzoo-download") as pool:
            results = list(pool.map(job.download_model, models))
    report = DownloadReport(tuple(results))
    for result in results:
        if result.error is not None:
            report.fail(result.name, result.error)
    return report


class _DownloadJob:
    """What every worker thread shares: options, cache, reporter; a requests.Session per thread."""

    def __init__(self, options: DownloadOptions, reporter: ProgressReporter) -> None:
        self.options = options
        self.reporter = reporter
        self.cache = BlobCache(options.cache_dir) if options.cache_dir is not None else None
        self.policy = RetryPolicy(
            attempts=options.num_attempts, base_delay=options.retry_delay, timeout=options.timeout
        )
        self._local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self._local, "session"):  # sessions are not thread-safe: one per worker
            self._local.session = new_session()
        return self._local.session

    def download_model(self, model: Model) -> ModelResult:
        directory = model_dir(self.options.output_dir, model)
        self.reporter.model_begin(model.name, len(model.files))
        error: OvzooError | None = None
        try:
            with within(f'model "{model.name}"'):
                for model_file in model.files:
                    self._download_file(model, model_file, directory)
                if model.postprocessing:
                    self.reporter.postprocessing_begin(model.name)
                    run_postprocessing(model, directory)
                    self.reporter.postprocessing_end(model.name)
        except OvzooError as e:
            error = e
        except OSError as e:  # our side: an output folder we can't write, a full disk
            error = DownloadError(f"{e.filename or directory}: {e.strerror or e}", (f'model "{model.name}"',))
        if error is not None:
            log.debug("%s", error)  # the CLI prints it once, with the others
        self.reporter.model_end(model.name, error is None)
        return ModelResult(model.name, directory, error)

    def _download_file(self, model: Model, model_file: ModelFile, directory: Path) -> None:
        name = model_file.name.as_posix()
        target = directory / model_file.name
        self.reporter.file_begin(model.name, name, model_file.size)
        try:
            with within(f'file "{name}"'):
                how = self._obtain(model, model_file, target)
        except (OvzooError, OSError):
            self.reporter.file_end(model.name, name, False)
            raise
        self.reporter.file_end(model.name, name, True, how)

    def _obtain(self, model: Model, model_file: ModelFile, target: Path) -> str:
        """Make ``target`` hold the verified file; returns how: already present, from cache, downloaded."""
        size, checksum = model_file.size, model_file.checksum
        if file_matches(target, size, checksum):
            return "already present"
        lock: AbstractContextManager[bool] = self.cache.locked(checksum) if self.cache else nullcontext(False)
        with lock:
            if self.cache is not None:
                lookup = self.cache.copy_out(checksum, size, target)
                if lookup == "hit":
                    return "from cache"
                if lookup == "corrupt":
                    self.cache.drop(checksum)
            urls = candidate_urls(model_file, self.options.mirrors)

            def progress(done: int) -> None:
                self.reporter.file_progress(model.name, model_file.name.as_posix(), done, size)

            fetch_file(
                urls, target, size, checksum, session=self.session(), policy=self.policy, on_progress=progress
            )
            if self.cache is not None:
                self.cache.put(target, checksum)
        return "downloaded"
