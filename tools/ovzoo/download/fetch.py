"""Fetch one file: try each URL, retry transient failures with backoff, verify, then rename into place.

The bytes go to ``<target>.part`` beside the target and stay there across attempts and runs, so the
next try continues with a ``Range`` request. The target appears (``os.replace``) only after its size
and hash match the descriptor.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from ovzoo.catalog.model import Checksum
from ovzoo.download.transfer import ProgressCallback, stream_to_part
from ovzoo.errors import ChecksumMismatch, DownloadError, IncompleteDownload, TransientDownloadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # rounds over all URLs, the first included
    base_delay: float = 1.0  # seconds before the 2nd round; doubles each round
    max_delay: float = 30.0
    timeout: float = 60.0  # seconds for connecting and for each read

    def delay(self, failed_rounds: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (failed_rounds - 1))


def part_path(target: Path) -> Path:
    """Where the partial download of ``target`` is kept between attempts and runs."""
    return target.with_name(target.name + ".part")


def fetch_file(
    urls: Sequence[str],
    target: Path,
    size: int,
    checksum: Checksum,
    *,
    session: requests.Session,
    policy: RetryPolicy,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Download ``target`` from the first of ``urls`` that delivers the declared bytes.

    Raises:
        DownloadError: (or a subclass) when every round failed. With several URLs, the message lists
            each one's failure in the last round (a mirror's wrong checksum is not hidden behind the
            unreachable upstream tried after it), and the type is the most telling of them.
    """
    if not urls:
        raise DownloadError("no URL to fetch from")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(target)
    failures: list[DownloadError] = []
    for round_number in range(1, policy.attempts + 1):
        worth_retrying = False
        failures = []
        for url in urls:
            try:
                hasher = stream_to_part(url, part, size, checksum, session, policy.timeout, on_progress)
                digest = hasher.hexdigest()
                if digest != checksum.value:
                    part.unlink(missing_ok=True)  # wrong bytes: resuming them would never help
                    raise ChecksumMismatch(
                        f"{url}: {checksum.algorithm} is {digest}, expected {checksum.value}",
                        url=url,
                        algorithm=checksum.algorithm,
                        expected=checksum.value,
                        actual=digest,
                    )
                _sync(part)
                os.replace(part, target)
                return
            except (TransientDownloadError, ChecksumMismatch) as e:
                worth_retrying = True
                failures.append(e)
                log.warning("attempt %d of %d: %s", round_number, policy.attempts, e)
            except DownloadError as e:
                failures.append(e)
                log.warning("attempt %d of %d: %s", round_number, policy.attempts, e)
            except OSError as e:  # our side: disk full, permissions; retrying won't help
                raise DownloadError(f"{e.filename or part}: {e.strerror or e}") from e
        if not worth_retrying or round_number == policy.attempts:
            break
        time.sleep(policy.delay(round_number))
    if not failures:  # unreachable: at least one URL was tried and failed
        raise DownloadError("download failed")
    last_error = _most_telling(failures)
    others = [f.problem for f in failures if f is not last_error]
    if others:
        last_error.add_note(f"every source failed; also {'; '.join(others)}")
    if policy.attempts > 1 and worth_retrying:
        last_error.add_note(f"gave up after {round_number} attempts")
    raise last_error


# what a failure says about the file, most telling first: wrong bytes beat a wrong size beat "unreachable"
_TELLING: tuple[type[DownloadError], ...] = (ChecksumMismatch, IncompleteDownload, DownloadError)


def _most_telling(failures: Sequence[DownloadError]) -> DownloadError:
    """The failure to raise: the first of the most telling kind (a transient network error comes last)."""
    for kind in _TELLING:
        for failure in failures:
            if isinstance(failure, kind) and not isinstance(failure, TransientDownloadError):
                return failure
    return failures[-1]


def _sync(path: Path) -> None:
    # the bytes may come from an earlier run that was killed before it could fsync
    with path.open("rb") as f:
        os.fsync(f.fileno())
