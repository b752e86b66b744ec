"""Where a file's bytes may come from: mirrors first, then the descriptor's own source."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote, urlsplit

from ovzoo.catalog.model import URL_SCHEMES, ModelFile
from ovzoo.errors import UsageError


def check_mirror(base_url: str) -> str:
    """Return ``base_url`` if it is an http(s):// or file:// base URL.

    Raises:
        UsageError: for any other scheme or a URL without a location.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in URL_SCHEMES:
        raise UsageError(f"--mirror {base_url!r}: expected an http://, https:// or file:// URL")
    if parts.scheme != "file" and not parts.netloc:
        raise UsageError(f"--mirror {base_url!r}: the URL has no host")
    if parts.query or parts.fragment:
        raise UsageError(f"--mirror {base_url!r}: a base URL can't have a query or fragment")
    return base_url


def candidate_urls(model_file: ModelFile, mirrors: Sequence[str]) -> tuple[str, ...]:
    """URLs to try for ``model_file``, in order: each mirror with the file name appended, then the source."""
    relative = quote(model_file.name.as_posix())
    urls = [f"{base.rstrip('/')}/{relative}" for base in mirrors]
    urls.append(model_file.source)
    return tuple(dict.fromkeys(urls))  # a mirror equal to the source is tried once
