"""`searcher serve --workers 2` (issue #11, item 1): two processes answer, with the CLI flags.

Which process answered is read from outside, the way an operator would: the kernel's socket
table (/proc/net/tcp) names the inode of the server side of our connection, and exactly one
worker holds that inode among its open files.  Nothing in a response says which process sent it.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path

from tests.serving import Server, serving
from tests.test_api import loaded_settings


def _workers(pid: int) -> set[int]:
    """Child processes of `pid` started by multiprocessing's spawn (uvicorn's workers)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(int(child))
    return found


def _server_socket_inode(server_port: int, client_port: int) -> str:
    """The inode of the server end of the loopback connection (server_port ← client_port)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    raise LookupError(f"no server socket for client port {client_port}")


def _owner(pids: set[int], inode: str) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if fd.readlink().as_posix() == target:
                    return pid
            except FileNotFoundError:
                continue
    return None


def _answering_worker(server: Server, workers: set[int]) -> tuple[int | None, dict]:
    """Ask /health on a fresh connection; which worker answered, and what it said."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", "/health")
        body = json.loads(connection.getresponse().read())
        # Still open (kept alive), so the server's end of it is in the socket table.
        client_port = connection.sock.getsockname()[1]
        return _owner(workers, _server_socket_inode(server.port, client_port)), body
    finally:
        connection.close()


def test_two_workers_both_answer_with_the_cli_flags(tmp_path: Path) -> None:
    settings = loaded_settings(tmp_path)
    # --index and --data-dir are CLI flags only (not in the environment): each worker must
    # still serve that index, so the flags have to reach the worker processes.
    with serving(settings.data_dir, "site", "--workers", "2") as server:
        workers = _workers(server.pid)
        assert len(workers) == 2, f"expected 2 worker processes, found {workers}"
        answered: set[int] = set()
        for _ in range(200):
            owner, health = _answering_worker(server, workers)
            assert health == {
                "status": "ok",
                "engine": "embedded",
                "index": "site",
                "documents": 195,
            }
            if owner is not None:
                answered.add(owner)
            if answered == workers:
                break
        assert answered == workers
