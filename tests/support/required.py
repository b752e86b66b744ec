"""What a test needs from outside the checkout (``../shared``, the compatibility venvs): skip when it is
missing on a developer's machine, fail loudly where ``OVZOO_REQUIRE_ALL=1`` (``make test``, CI), so that
a test that can't run is never counted as passing there."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REQUIRE_ALL_ENV = "OVZOO_REQUIRE_ALL"
SHARED_DIR_ENV = "OVZOO_SHARED_DIR"
REPO_ROOT = Path(__file__).resolve().parents[2]


def require(available: object, what: str, how: str) -> None:
    """Skip (or, with OVZOO_REQUIRE_ALL=1, fail) unless ``available``; ``how`` says how to provide it."""
    if available:
        return
    if os.environ.get(REQUIRE_ALL_ENV) == "1":
        pytest.fail(f"{what} is missing ({how}); {REQUIRE_ALL_ENV}=1 runs every test", pytrace=False)
    pytest.skip(f"{what} is missing ({how})")


def _origin_checkout() -> Path | None:
    """The checkout this one was cloned from, when that is a local path (``git clone . /tmp/fresh``)."""
    try:
        url = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    path = Path(url.removeprefix("file://"))
    return path.resolve() if url and path.is_absolute() and path.is_dir() else None


def shared_dir(name: str) -> Path:
    """``shared/<name>``: ``$OVZOO_SHARED_DIR/<name>``, else beside the checkout (/work/main, CI's clone) or
    above it (a developer's worktree), else beside the checkout this one was cloned from. When none
    exists, the path beside the checkout (tests then :func:`require` it)."""
    if os.environ.get(SHARED_DIR_ENV):
        return Path(os.environ[SHARED_DIR_ENV]) / name
    origin = _origin_checkout()
    for root in (REPO_ROOT, *([origin] if origin else [])):
        for parent in root.parents:
            if (parent / "shared" / name).is_dir():
                return parent / "shared" / name
    return REPO_ROOT.parent / "shared" / name
