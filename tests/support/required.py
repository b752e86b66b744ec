"""What a test needs from outside the checkout (``../shared``, the compatibility venvs): skip when it is
missing on a developer's machine, fail loudly where ``OVZOO_REQUIRE_ALL=1`` (``make test``, CI), so that
a test that can't run is never counted as passing there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REQUIRE_ALL_ENV = "OVZOO_REQUIRE_ALL"
REPO_ROOT = Path(__file__).resolve().parents[2]


def require(available: object, what: str, how: str) -> None:
    """Skip (or, with OVZOO_REQUIRE_ALL=1, fail) unless ``available``; ``how`` says how to provide it."""
    if available:
        return
    if os.environ.get(REQUIRE_ALL_ENV) == "1":
        pytest.fail(f"{what} is missing ({how}); {REQUIRE_ALL_ENV}=1 runs every test", pytrace=False)
    pytest.skip(f"{what} is missing ({how})")


def shared_dir(name: str) -> Path:
    """``shared/<name>`` beside the checkout (/work/main, CI's clone) or one level up (a developer's worktree)."""
    for parent in REPO_ROOT.parents:
        if (parent / "shared" / name).is_dir():
            return parent / "shared" / name
    return REPO_ROOT.parent / "shared" / name
