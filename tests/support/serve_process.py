"""``ovzoo serve`` as a real subprocess on 127.0.0.1 (port 0), for the serve tests and the benchmark."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from support.cli_process import checkout_env, ovzoo_command

_LISTENING = re.compile(r"^serving .* on (http://\S+)$")


@dataclass
class ServerProcess:
    process: subprocess.Popen
    url: str
    stderr_lines: list[str]

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM, then the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


@contextmanager
def running_server(repository: Path, *extra: str, startup_timeout: float = 120) -> Iterator[ServerProcess]:
    """Start ``ovzoo serve REPO --port 0``; yield once it prints its address; stop it afterwards."""
    process = subprocess.Popen(
        ovzoo_command("serve", str(repository), "--port", "0", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=checkout_env(),
    )
    stderr_lines: list[str] = []
    reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    found: list[str] = []

    def wait_for_address() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            match = _LISTENING.match(line.strip())
            if match:
                found.append(match.group(1))
                return

    waiter = threading.Thread(target=wait_for_address, daemon=True)
    waiter.start()
    waiter.join(startup_timeout)
    if not found:
        process.kill()
        process.wait()
        reader.join(5)
        raise RuntimeError("ovzoo serve did not start:\n" + "".join(stderr_lines)[-3000:])
    server = ServerProcess(process, found[0], stderr_lines)
    try:
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
