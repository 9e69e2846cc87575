"""The real server (`searcher serve`, uvicorn) under hostile connections: bodies, sockets, time.

Each test starts the command as a subprocess and measures it from outside (its /proc status,
what comes back on the socket), because the limits under test live in uvicorn and in the ASGI
layers that the in-process TestClient skips.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from searcher.limits import HEADER_TIMEOUT_SECONDS, MAX_CONNECTIONS
from tests.serving import WRITE_KEY, Server, peak_rss_mb, serving
from tests.test_api import loaded_settings

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = loaded_settings(tmp_path_factory.mktemp("site"))
    with serving(settings.data_dir, "site") as running:
        yield running


def send_body(
    port: int,
    *,
    size: int,
    key: str | None = None,
    chunked: bool = False,
    claimed: int | None = None,
) -> str:
    """POST `size` bytes of junk to /documents on a raw socket; the response's status code.

    The body is streamed in pieces until it is all sent or the server hangs up, so the client
    never holds it.  `claimed` sends a Content-Length other than the true size (a liar).
    """
    head = [b"POST /documents HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/json"]
    if key is not None:
        head.append(b"X-API-Key: " + key.encode())
    if chunked:
        head.append(b"Transfer-Encoding: chunked")
    else:
        head.append(b"Content-Length: %d" % (size if claimed is None else claimed))
    piece = b"[" + b" " * (256 * 1024 - 1)
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        try:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n")
            sent = 0
            while sent < size:
                chunk = piece[: size - sent]
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                sent += len(chunk)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and hung up: what we want
        try:
            reply = sock.recv(4096)
        except ConnectionResetError:
            return "reset"
    # The status code alone: the reason phrase is the server's choice.
    return reply.split(b" ", 2)[1].decode() if reply else "closed"


def test_oversized_bodies_keep_memory_flat(server: Server) -> None:
    before = peak_rss_mb(server.pid)
    requests = [
        {"size": 64 * MIB},  # no key, honest Content-Length
        {"size": 64 * MIB},
        {"size": 64 * MIB, "chunked": True},  # no key, no Content-Length at all
        {"size": 64 * MIB, "chunked": True},
        {"size": 48 * MIB, "key": WRITE_KEY, "chunked": True},  # keyed, but over the body limit
        {"size": 48 * MIB, "key": WRITE_KEY, "claimed": 1000},  # keyed, Content-Length lies
    ]
    statuses: list[str] = [""] * len(requests)

    def run(i: int) -> None:
        statuses[i] = send_body(server.port, **requests[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = peak_rss_mb(server.pid)
    print(f"server peak RSS {before:.0f} MB -> {after:.0f} MB; replies {statuses}")
    assert after - before < 40, f"peak RSS grew {after - before:.0f} MB under oversized bodies"
    # The liar is held to its 1,000 bytes (not JSON: 422); what follows is no request at all.
    assert statuses == ["401"] * 4 + ["413", "422"]


def _headers_only(port: int, head: list[bytes]) -> bytes:
    """Send a request's headers, none of its body, and return whatever the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"\r\n".join(head) + b"\r\n\r\n")
        reply = b""
        try:
            while chunk := sock.recv(4096):  # until the server hangs up
                reply += chunk
        except TimeoutError:
            reply += b"<timed out waiting>"  # the old server waited for a body never sent
    return reply


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ([], b"401"),  # no key: refused without reading a byte of the body
        ([b"X-API-Key: " + WRITE_KEY.encode()], b"413"),  # key, but declares too much
    ],
)
def test_refusals_come_before_the_body(server: Server, extra: list[bytes], status: bytes) -> None:
    head = [
        b"POST /documents HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Content-Type: application/json",
        b"Content-Length: %d" % (64 * MIB),
        b"Expect: 100-continue",
        *extra,
    ]
    reply = _headers_only(server.port, head)
    assert reply.split(b" ", 2)[1] == status
    assert b"100 Continue" not in reply  # the client was never invited to send the body
    assert b"connection: close" in reply.lower()
    assert b'{"error":' in reply


# -- item 7: silent and slow sockets are closed; connections are capped ---------------------------


def _closed_by_server(sock: socket.socket) -> bool:
    """Wait (bounded) for the server to hang up; True if it did."""
    sock.settimeout(HEADER_TIMEOUT_SECONDS * 3)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_silent_and_slow_header_sockets_are_closed(server: Server) -> None:
    silent = socket.create_connection(("127.0.0.1", server.port))
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    stop = threading.Event()

    def trickle() -> None:  # a header byte now and then, never the blank line that ends them
        while not stop.wait(1):
            try:
                slow.sendall(b"X")
            except OSError:
                return

    thread = threading.Thread(target=trickle)
    thread.start()
    try:
        assert _closed_by_server(silent)
        assert _closed_by_server(slow)
    finally:
        stop.set()
        thread.join()
        silent.close()
        slow.close()


def test_connections_beyond_the_limit_are_refused_then_recover(server: Server) -> None:
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(MAX_CONNECTIONS)]
    try:
        assert httpx.get(server.url + "/health", timeout=30).status_code == 503
    finally:
        for sock in idle:
            sock.close()
    deadline = time.monotonic() + 30  # the server notices the closed sockets on its own time
    while httpx.get(server.url + "/health", timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the server never recovered its connection slots"
        time.sleep(0.2)
