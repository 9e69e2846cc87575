"""`create_app`: wires settings, engine, limits and middleware to the routers beside this file.

Each route lives in its own small module with its limits declared beside it (from
`searcher.limits`), so the OpenAPI schema, the validation and the README's limits table agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from searcher.api import demo, documents, errors, health, search, suggest
from searcher.api.lanes import Lanes
from searcher.api.middleware import NoSniff, WriteGate
from searcher.api.service import Service
from searcher.api.writekey import write_key
from searcher.engines import Engine, open_engine
from searcher.settings import Settings

DESCRIPTION = "Arabic full-text search: hits with highlighted snippets of the original text."


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The ASGI app.  Tests pass an engine; `searcher serve` lets the settings open one.

    Raises `WeakWriteKey` (before opening anything) when SEARCHER_WRITE_KEY is set but unusable.
    """
    settings = settings or Settings()
    key = write_key(settings)
    engine = engine or open_engine(settings)
    service = Service(
        engine=engine,
        index=settings.index,
        analyzer=settings.analyzer(),
        lanes=Lanes.for_engine(engine.name),
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.close()  # ends a write session, releasing the embedded index's write lock

    app = FastAPI(
        lifespan=lifespan,
        title="searcher",
        version="0.1.0",
        description=DESCRIPTION,
        responses={code: {"model": errors.ErrorBody} for code in (400, 404, 422, 503)},
    )
    app.state.service = service
    errors.install(app)
    for module in (search, suggest, health):
        app.include_router(module.router)
    if key is not None:
        app.include_router(documents.router(key, settings.max_body_bytes))
        # Middleware runs before routing: the key is checked before anything reads a body.
        app.add_middleware(
            WriteGate, key=key, prefix=documents.PREFIX, max_body_bytes=settings.max_body_bytes
        )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(NoSniff)
    demo.mount(app)
    return app


def app_from_env() -> FastAPI:
    """The app from SEARCHER_* alone: the factory every `searcher serve` process calls."""
    return create_app(Settings())
