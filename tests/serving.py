"""`searcher serve` as a real subprocess (uvicorn and all), for tests that need the whole server.

The in-process TestClient skips uvicorn: its timeouts, its connection limit, its body buffering
and its worker processes.  Tests of those start the real command here and talk HTTP to it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "searcher.cli"]
WRITE_KEY = "a-long-enough-write-key-for-tests"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


@contextlib.contextmanager
def serving(
    data_dir: Path,
    index: str,
    *args: str,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
    ready_timeout: float = 60.0,
) -> Iterator[Server]:
    """Run `searcher serve` on a free loopback port until the block ends."""
    port = free_port()
    command = [*(prefix or []), *CLI, "serve", "--port", str(port)]
    command += ["--index", index, "--data-dir", str(data_dir), *args]
    full_env = {**os.environ, "SEARCHER_WRITE_KEY": WRITE_KEY, **(env or {})}
    process = subprocess.Popen(command, env=full_env, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"serve exited with {process.returncode}: {stderr}")
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + "/health", timeout=2)
                break
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not start")
            time.sleep(0.1)
        yield Server(url=url, port=port, process=process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stderr:
            process.stderr.close()
