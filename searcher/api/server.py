"""`searcher serve`: the app under uvicorn, with the connection limits a public server needs.

uvicorn closes an idle kept-alive connection (`timeout_keep_alive`) and refuses work beyond
`limit_concurrency`, but it has no deadline for a request's headers: a socket that connects and
says nothing, or sends a header byte now and then, stays open for ever.  `HeaderDeadline` adds
one.  The app is built by a factory from SEARCHER_* in every worker process, so CLI flags are
exported to the environment first.
"""

from __future__ import annotations

import asyncio
import os

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from searcher.api.writekey import write_key
from searcher.limits import (
    HEADER_TIMEOUT_SECONDS,
    KEEP_ALIVE_SECONDS,
    MAX_CONNECTIONS,
    MAX_HEADER_BYTES,
)
from searcher.settings import Settings

APP_FACTORY = "searcher.api.app:app_from_env"


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol, plus: a request's headers must be complete within
    `HEADER_TIMEOUT_SECONDS` of the connection opening, or of their first byte on a kept-alive
    connection; otherwise the connection is closed."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[arg-type]
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the request line and headers are in

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Serve until interrupted.  Raises `WeakWriteKey` before listening if the key is unusable."""
    write_key(settings)
    os.environ.update(settings.as_environment())
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=HeaderDeadline,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=MAX_CONNECTIONS,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        server_header=False,
        log_level="warning",
    )
