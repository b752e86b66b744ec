"""One transfer attempt: continue a ``.part`` file from one URL (http, https or file).

The caller (``fetch``) owns retries and the final verification; this module only moves bytes and
classifies failures: :class:`TransientDownloadError` is worth retrying, any other
:class:`DownloadError` means this URL won't give us the file.
"""

from __future__ import annotations

import logging
import os
import re
import ssl
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import requests
import urllib3

from ovzoo.catalog.model import URL_SCHEMES, Checksum
from ovzoo.download.flush import BackgroundFlusher
from ovzoo.download.hashing import CHUNK_SIZE, BackgroundHasher, Hasher, hash_prefix, new_hasher
from ovzoo.errors import DownloadError, IncompleteDownload, TransientDownloadError

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int], None]  # bytes of the file present so far

# Statuses that say "try again later" rather than "this URL is wrong".
RETRYABLE_STATUSES = frozenset({408, 425, 429})
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def stream_to_part(
    url: str,
    part: Path,
    size: int,
    checksum: Checksum,
    session: requests.Session,
    timeout: float,
    on_progress: ProgressCallback | None = None,
) -> Hasher:
    """Bring ``part`` up to ``size`` bytes from ``url``, resuming what is there; return its running hash.

    Raises:
        TransientDownloadError: connection error, timeout, 5xx, short read (the .part is kept).
        IncompleteDownload: the source has or sends more/other bytes than declared (the .part is dropped).
        DownloadError: the URL can't serve the file (404, unsupported scheme...).
    """
    have = part.stat().st_size if part.exists() else 0
    if have > size:  # left by something else; can't be a prefix of our file
        part.unlink()
        have = 0
    hasher = hash_prefix(part, checksum, have) if have else new_hasher(checksum)
    if on_progress:
        on_progress(have)
    if have == size:  # a previous run got every byte (or the file is empty); the caller checks the hash
        part.touch()
        return hasher
    scheme = urlsplit(url).scheme
    if scheme in ("http", "https"):
        return _read_http(url, part, have, size, hasher, checksum, session, timeout, on_progress)
    if scheme == "file":
        return _read_local(url, part, have, size, hasher, on_progress)
    raise DownloadError(f"{url}: unsupported URL scheme {scheme!r} (expected {', '.join(URL_SCHEMES)})")


def _read_http(
    url: str,
    part: Path,
    have: int,
    size: int,
    hasher: Hasher,
    checksum: Checksum,
    session: requests.Session,
    timeout: float,
    on_progress: ProgressCallback | None,
) -> Hasher:
    # identity: byte offsets in Range and Content-Length must refer to the file itself
    headers = {"Accept-Encoding": "identity"}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        with session.get(url, headers=headers, stream=True, timeout=timeout) as response:
            start = _start_offset(response, url, have, size, part)
            if start != have:
                log.info("%s: server ignored the Range request; starting over", url)
                hasher = new_hasher(checksum)
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) != size - start:
                _drop(part)
                raise IncompleteDownload(
                    f"{url}: server declares {int(declared) + start} bytes, the descriptor says {size}",
                    url=url,
                    expected_size=size,
                    actual_size=int(declared) + start,
                )
            chunks = _body_chunks(response)
            have = _write_chunks(url, part, start, size, chunks, hasher, on_progress)
    except requests.exceptions.SSLError as e:  # a certificate problem won't go away by retrying
        raise DownloadError(f"{url}: {_describe(e)}") from e
    except (requests.RequestException, urllib3.exceptions.HTTPError) as e:
        got = part.stat().st_size if part.exists() else 0
        progress = f" after {got} of {size} bytes" if got else ""
        raise TransientDownloadError(f"{url}: {_describe(e)}{progress}") from e
    if have < size:
        raise TransientDownloadError(f"{url}: connection closed after {have} of {size} bytes")
    return hasher


def _body_chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives, up to a chunk at a time.

    ``iter_content`` fills a whole chunk before yielding it, so a connection cut mid-chunk would lose
    up to a chunk that did arrive; ``read1`` hands over what is there, and a resume loses nothing.
    """
    while chunk := response.raw.read1(CHUNK_SIZE, decode_content=True):
        yield chunk


def _start_offset(response: requests.Response, url: str, have: int, size: int, part: Path) -> int:
    """Where the response body starts in the file; raises for statuses that carry no usable body."""
    status = response.status_code
    reason = f"HTTP {status} {response.reason or ''}".rstrip()
    if status >= 500 or status in RETRYABLE_STATUSES:
        raise TransientDownloadError(f"{url}: {reason}")
    if status == 416 and have:  # our .part doesn't fit the server's file: start again next attempt
        _drop(part)
        raise TransientDownloadError(f"{url}: server refused to resume at byte {have}")
    if status >= 400:
        raise DownloadError(f"{url}: {reason}")
    if status == 200:
        return 0
    if status == 206 and have:
        match = CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
        if not match or int(match.group(1)) != have:
            raise DownloadError(f"{url}: unexpected Content-Range {response.headers.get('Content-Range')!r}")
        if match.group(3) != "*" and int(match.group(3)) != size:
            _drop(part)
            raise IncompleteDownload(
                f"{url}: server has {match.group(3)} bytes, the descriptor says {size}",
                url=url,
                expected_size=size,
                actual_size=int(match.group(3)),
            )
        return have
    raise DownloadError(f"{url}: unexpected {reason}")


def _read_local(
    url: str, part: Path, have: int, size: int, hasher: Hasher, on_progress: ProgressCallback | None
) -> Hasher:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise DownloadError(f"{url}: file:// URLs on another host are not supported")
    path = Path(url2pathname(parts.path))
    try:
        source = path.open("rb")
    except FileNotFoundError as e:
        raise DownloadError(f"{url}: no such file") from e
    except OSError as e:
        raise TransientDownloadError(f"{url}: {e.strerror or e}") from e
    with source:
        actual = os.fstat(source.fileno()).st_size
        if actual != size:
            _drop(part)
            raise IncompleteDownload(
                f"{url}: file has {actual} bytes, the descriptor says {size}",
                url=url,
                expected_size=size,
                actual_size=actual,
            )
        source.seek(have)
        try:
            have = _write_chunks(
                url, part, have, size, iter(lambda: source.read(CHUNK_SIZE), b""), hasher, on_progress
            )
        except OSError as e:
            raise TransientDownloadError(f"{url}: {e.strerror or e}") from e
    if have < size:
        raise TransientDownloadError(f"{url}: file shrank while reading ({have} of {size} bytes)")
    return hasher


def _write_chunks(
    url: str,
    part: Path,
    start: int,
    size: int,
    chunks: Iterable[bytes],
    hasher: Hasher,
    on_progress: ProgressCallback | None,
) -> int:
    """Write ``chunks`` into ``part`` from offset ``start``; return the bytes now in ``part``."""
    have = start
    # unbuffered: whatever we count as written is in the file even if the process is killed next
    fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o644)
    with (
        os.fdopen(fd, "wb", buffering=0) as f,
        BackgroundFlusher(f.fileno()) as flusher,
        BackgroundHasher(hasher) as background,
    ):
        f.truncate(start)
        f.seek(start)
        for chunk in chunks:
            if have + len(chunk) > size:
                f.close()
                _drop(part)
                raise IncompleteDownload(
                    f"{url}: server sent more than the declared {size} bytes", url=url, expected_size=size
                )
            f.write(chunk)
            flusher.wrote(len(chunk))
            background.update(chunk)
            have += len(chunk)
            if on_progress:
                on_progress(have)
        if have == size:
            os.fsync(f.fileno())
    return have


def _drop(part: Path) -> None:
    part.unlink(missing_ok=True)


def _describe(error: Exception) -> str:
    """A short reason for a network failure, without urllib3's nested reprs."""
    reason: object = error
    while True:  # requests wraps urllib3's MaxRetryError, which holds the real reason
        args = getattr(reason, "args", None)
        inner = getattr(reason, "reason", None) or (args[0] if args else None)
        if not isinstance(inner, Exception) or inner is reason:
            break
        reason = inner
    text = str(reason)
    if isinstance(error, (requests.Timeout, urllib3.exceptions.TimeoutError)) or "timed out" in text:
        return "timed out"
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return f"can't resolve the host name ({getattr(reason.conn, 'host', '?')})"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "can't connect: " + text.rsplit("new connection: ", 1)[-1]
    if isinstance(reason, (urllib3.exceptions.SSLError, ssl.SSLError)) or isinstance(
        error, requests.exceptions.SSLError
    ):
        return f"TLS error ({text}); point REQUESTS_CA_BUNDLE or SSL_CERT_FILE at your CA bundle if it is a private CA"
    if isinstance(reason, urllib3.exceptions.ProxyError) or isinstance(error, requests.exceptions.ProxyError):
        return f"proxy error ({text})"
    if isinstance(error, (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError)):
        return "connection closed"
    return f"{type(reason).__name__}: {text}"
