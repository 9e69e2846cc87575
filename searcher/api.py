"""The HTTP API behind a site's search box (`searcher serve`), plus the embeddable widget.

    GET  /search?q=&page=&size=   the `searcher search --json` shape, cacheable (ETag)
    GET  /suggest?q=              completions of the word being typed
    GET  /health                  engine reachable, index present, document count
    POST /documents, DELETE /documents/{id}   only when SEARCHER_WRITE_KEY is set, and then
                                              only with that key (X-API-Key header)
    GET  /                        a demo page using /static/widget.js and widget.css

Limits (query length, page size, page depth) are part of the OpenAPI schema and enforced by
validation, so odd input gets a 422, never a 500.  Engine trouble becomes a 503 or 404 with a
short message that names no host, URL or credential.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import AsyncIterator
from importlib import resources
from typing import Annotated, Any

import anyio.to_thread
import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response, Security
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.errors import EngineUnavailable, IndexNotFound, SearcherError
from searcher.limits import (
    CACHE_SECONDS,
    MAX_DOCUMENTS_PER_POST,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
)
from searcher.models import Document, SearchResponse
from searcher.query import parse
from searcher.settings import Settings
from searcher.suggest import suggest

STATIC = resources.files("searcher") / "static"
API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False)


class ErrorBody(BaseModel):
    error: str


class Suggestions(BaseModel):
    query: str
    suggestions: list[str]


class Health(BaseModel):
    status: str
    engine: str
    index: str
    documents: int | None = None


class WriteResult(BaseModel):
    indexed: int = 0
    deleted: int = 0
    errors: list[str] = []


def _json(content: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """The ASGI app.  Tests pass an engine; `searcher serve` lets the settings open one."""
    settings = settings or Settings()
    engine = engine or open_engine(settings)
    analyzer = ArabicAnalyzer(settings.arabic_disable)
    index = settings.index

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Endpoints are sync and run on AnyIO's worker threads.  The embedded engine's work is
        # CPU-bound Python and tantivy calls that drop and retake the GIL: many threads only
        # convoy (measured: 75 vs 26 searches/s).  One thread per process for it; the cluster
        # engines wait on the network, so they keep many.  Scale out with --workers.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1 if engine.name == "embedded" else 40
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="searcher",
        version="0.1.0",
        description="Arabic full-text search: hits with highlighted snippets of the original text.",
        responses={400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(error.detail)},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(EngineUnavailable)
    def _unavailable(_: Request, __: EngineUnavailable) -> JSONResponse:
        return JSONResponse({"error": "the search engine is unavailable"}, status_code=503)

    @app.exception_handler(IndexNotFound)
    def _missing(_: Request, __: IndexNotFound) -> JSONResponse:
        return JSONResponse({"error": "the index does not exist yet"}, status_code=404)

    @app.exception_handler(SearcherError)
    def _refused(_: Request, __: SearcherError) -> JSONResponse:
        return JSONResponse({"error": "the search engine refused the request"}, status_code=503)

    @app.get("/search", response_model=SearchResponse)
    def search(
        request: Request,
        q: Annotated[
            str, Query(max_length=MAX_QUERY_CHARS, description='words, "phrases", -not, a OR b')
        ],
        page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
        size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    ) -> Response:
        result = engine.search(index, parse(q, analyzer), page=page, size=size)
        body = orjson.dumps(result.model_dump(mode="json", exclude={"took_ms"}))
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        full = orjson.dumps(result.model_dump(mode="json"))
        return Response(full, media_type="application/json", headers=headers)

    @app.get("/suggest", response_model=Suggestions)
    def suggestions(q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)]) -> Response:
        found = suggest(engine, index, analyzer, q)
        headers = {"Cache-Control": f"public, max-age={CACHE_SECONDS}"}
        return Response(
            orjson.dumps({"query": q, "suggestions": found}),
            media_type="application/json",
            headers=headers,
        )

    @app.get("/health", response_model=Health, responses={503: {"model": Health}})
    def health() -> Response:
        try:
            count = engine.count(index)
        except IndexNotFound:
            return _json({"status": "no index", "engine": engine.name, "index": index}, 503)
        except SearcherError:
            return _json(
                {"status": "engine unavailable", "engine": engine.name, "index": index}, 503
            )
        return _json({"status": "ok", "engine": engine.name, "index": index, "documents": count})

    if settings.write_key is not None:
        expected = settings.write_key.get_secret_value().encode()

        def require_key(x_api_key: Annotated[str | None, Security(API_KEY_HEADER)] = None) -> None:
            given = (x_api_key or "").encode()
            if not secrets.compare_digest(given, expected):
                raise HTTPException(status_code=401, detail="a valid X-API-Key header is required")

        write_errors: dict[int | str, dict[str, Any]] = {
            401: {"model": ErrorBody},
            413: {"model": ErrorBody},
        }

        @app.post(
            "/documents",
            response_model=WriteResult,
            dependencies=[Depends(require_key)],
            responses=write_errors,
        )
        def add_documents(documents: list[Document]) -> WriteResult:
            if len(documents) > MAX_DOCUMENTS_PER_POST:
                raise HTTPException(413, f"at most {MAX_DOCUMENTS_PER_POST} documents per request")
            engine.create_index(index)
            items = engine.bulk(index, documents)
            engine.refresh(index)
            return WriteResult(
                indexed=sum(i.ok for i in items),
                errors=[f"{i.id}: {i.error}" for i in items if not i.ok],
            )

        @app.delete(
            "/documents/{doc_id}",
            response_model=WriteResult,
            dependencies=[Depends(require_key)],
            responses=write_errors,
        )
        def delete_document(doc_id: str) -> WriteResult:
            if not engine.delete_document(index, doc_id):
                raise HTTPException(404, f"no document {doc_id!r}")
            engine.refresh(index)
            return WriteResult(deleted=1)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def demo() -> str:
        return (STATIC / "demo.html").read_text(encoding="utf-8")

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    return app
