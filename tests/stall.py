"""Stall a real test node: SIGSTOP its JVM, later SIGCONT, as a long GC pause or a frozen VM would.

The node's pid comes from the node itself (`_nodes/_local/process`), so only the node behind the
URL the tests were given (this checkout's own, see SEARCHER_NODES_PORT_OFFSET) is ever touched.
While it is stopped the kernel still accepts connections and buffers requests: the client times
out, resends, and the node applies every copy when it wakes up.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import urllib.request
from collections.abc import Iterator


def node_pid(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_nodes/_local/process", timeout=10) as response:
        (node,) = json.load(response)["nodes"].values()
    return int(node["process"]["id"])


@contextlib.contextmanager
def stalled(url: str, seconds: float) -> Iterator[int]:
    """Stop the node for `seconds` (a timer continues it, even while the block is still waiting
    on it), or until the block ends, whichever comes first."""
    pid = node_pid(url)
    os.kill(pid, signal.SIGSTOP)
    timer = threading.Timer(seconds, os.kill, (pid, signal.SIGCONT))
    timer.start()
    try:
        yield pid
    finally:
        timer.cancel()
        os.kill(pid, signal.SIGCONT)


def is_stopped(pid: int) -> bool:
    """Is the process still stopped (state T in /proc)?"""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"
