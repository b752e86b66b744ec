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
