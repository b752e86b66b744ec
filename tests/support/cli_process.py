"""``python -m ovzoo.cli <verb>`` in a fresh process, importing ovzoo from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def checkout_env() -> dict[str, str]:
    """The environment with ``PYTHONPATH`` set to this checkout's ``tools/``."""
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}


def ovzoo_command(verb: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "ovzoo.cli", verb, *args]


def run_ovzoo(verb: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run one command to its end; stdout and stderr captured as text."""
    return subprocess.run(
        ovzoo_command(verb, *args),
        capture_output=True,
        text=True,
        env=checkout_env(),
        timeout=timeout,
        check=False,
    )
