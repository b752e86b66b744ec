"""Shared pytest configuration. Area-specific fixtures live in tests/support/ modules."""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))


@pytest.fixture(scope="session")
def digits_zoo(tmp_path_factory: pytest.TempPathFactory):
    """octave-digits-tiny downloaded, converted, quantized (all four IRs), its data exported: made once
    per session for the tests that need all of it (ovzoo accuracy's targets, the real accuracy_check)."""
    from support.digits_pipeline import prepare_digits_zoo

    return prepare_digits_zoo(tmp_path_factory.mktemp("digits-zoo"))


@pytest.fixture(scope="session")
def synthetic_mirrors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic family archives shared by the slow tests, so that a run synthesises each member once.

    Laid out as the demo keeps them (``<dir>/<name>/mirror/<name>/``, ``ovzoo.demo.demo_mirror``):
    ``prepare_synthetic_archive`` there reuses an archive another test built, after checking its stamp
    (model, seed, builder code) and its sha384, and builds it otherwise.
    """
    return tmp_path_factory.mktemp("synthetic-mirrors")
