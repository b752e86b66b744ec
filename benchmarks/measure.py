"""Wall time and peak RSS of a command, measured so that the caller's own memory does not leak in.

Linux carries a process's RSS high-water mark across fork and exec (``ru_maxrss`` of a child started by
a 900 MB parent reads at least 900 MB). So the command is started by a small launcher process (a bare
``python -S``), which waits for it with ``os.wait4`` and reports its figures.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass

_LAUNCHER = r"""
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as f:
    json.dump({"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
               "returncode": os.waitstatus_to_exitcode(status)}, f)
"""


@dataclass(frozen=True)
class Measured:
    wall_s: float
    peak_rss_mb: float
    output: str  # stdout and stderr, interleaved


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run ``command`` (in ``env``, default this process's environment); raise SystemExit with its
    output if it fails."""
    with tempfile.NamedTemporaryFile("w+", suffix=".json") as figures, tempfile.TemporaryFile("w+") as log:
        launcher = subprocess.run(
            [sys.executable, "-S", "-c", _LAUNCHER, figures.name, *command],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            env=env,
        )
        log.seek(0)
        output = log.read()
        result = json.loads(figures.read() or "{}")
    if launcher.returncode != 0 or result.get("returncode") != 0:
        raise SystemExit(
            f"failed ({result.get('returncode', launcher.returncode)}): {' '.join(command)}\n{output[-4000:]}"
        )
    return Measured(result["wall_s"], result["peak_rss_mb"], output)
