"""ASGI middleware that must run before routing: the write routes' gate and the nosniff header.

Both are plain ASGI (not `BaseHTTPMiddleware`) so they see the request before anything reads
its body, and add nothing per request but a header lookup.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searcher.api.writekey import HEADER, WriteKey

_KEY_HEADER = HEADER.lower().encode("latin-1")


class WriteGate:
    """The write routes' door: the key, then the declared body size, before any body is read.

    FastAPI reads and parses a JSON body before it runs a route's dependencies, so a dependency
    alone would let anyone make the server buffer a body.  The gate never calls `receive` for a
    request it refuses: no byte of its body is read (nor a `100 Continue` sent), and
    `Connection: close` ends the exchange so the client has no reason to keep sending.  Without
    the key: 401.  With it, but a Content-Length over the limit: 413.  A body that comes without
    a Content-Length (chunked) or with a false one is counted as it streams, by the documents
    router's own limit.
    """

    def __init__(self, app: ASGIApp, key: WriteKey, prefix: str, max_body_bytes: int) -> None:
        self.app = app
        self.key = key
        self.prefix = prefix
        self.max_body_bytes = max_body_bytes

    def _guarded(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def _refusal(self, headers: list[tuple[bytes, bytes]]) -> tuple[int, str] | None:
        if not self.key.matches(_header(headers, _KEY_HEADER)):
            return 401, f"a valid {HEADER} header is required"
        declared = _header(headers, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return 413, f"the body is over the limit of {self.max_body_bytes:,} bytes"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = None
        if scope["type"] == "http" and self._guarded(scope["path"]):
            refusal = self._refusal(scope["headers"])
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, message = refusal
        body = orjson.dumps({"error": message})
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    return next((value for key, value in headers if key == name), None)


class NoSniff:
    """`X-Content-Type-Options: nosniff` on every response: a JSON answer or a static file is
    never run as a script or a page because its bytes happen to look like one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_header)
