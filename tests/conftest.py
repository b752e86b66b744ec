"""Shared pytest configuration. Area-specific fixtures live in tests/support/ modules."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))
