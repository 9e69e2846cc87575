"""Every error the API sends has the documented shape ``{"error": "one line"}``.

Messages name no host, URL, path or credential, and quote at most a short excerpt of what the
client sent: a 100 KB bad input must not come back as a 100 KB answer, and input that cannot be
encoded (a lone surrogate) must not crash the handler that reports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from searcher.errors import EngineUnavailable, IndexNotFound, ReadOnlyIndex, SearcherError
from searcher.filters import FilterError
from searcher.limits import MAX_ERROR_ECHO_CHARS

MAX_REPORTED_ERRORS = 3
# Engine trouble gets a fixed message: the exception's own text may name a host, a path or a
# URL.  The most specific class wins (a ReadOnlyIndex is also a SearcherError).
ENGINE_ERRORS: dict[type[SearcherError], tuple[int, str]] = {
    EngineUnavailable: (503, "the search engine is unavailable"),
    IndexNotFound: (404, "the index does not exist yet"),
    ReadOnlyIndex: (503, "the index is read-only here: searching works, writing does not"),
    SearcherError: (503, "the search engine refused the request"),
}


class ErrorBody(BaseModel):
    """The shape of every error response."""

    error: str


def printable(text: str, limit: int = MAX_ERROR_ECHO_CHARS) -> str:
    """`text` cut to `limit` characters, with anything that is not encodable escaped."""
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return cut.encode("utf-8", "backslashreplace").decode("utf-8")


def _location(loc: Sequence[Any]) -> str:
    """("query", "q") → "query parameter q"; ("body", 0, "title") → "body.0.title"."""
    parts = [printable(str(part), 40) for part in loc]
    if len(parts) == 2 and parts[0] in ("query", "path", "header"):
        return f"{parts[0]} parameter {parts[1]}"
    return ".".join(parts) or "request"


def validation_message(errors: Sequence[dict[str, Any]]) -> str:
    """One line for a list of pydantic errors: where, what, and a short excerpt of the input."""
    parts = []
    for error in errors[:MAX_REPORTED_ERRORS]:
        part = f"{_location(error.get('loc', ()))}: {printable(error.get('msg', 'invalid'))}"
        given = error.get("input")
        if isinstance(given, str) and given:
            part += f' (got "{printable(given)}")'
        parts.append(part)
    if len(errors) > MAX_REPORTED_ERRORS:
        parts.append(f"and {len(errors) - MAX_REPORTED_ERRORS} more")
    return "; ".join(parts) or "invalid request"


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into ``{"error": ...}``."""

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        headers = dict(error.headers or {})
        if error.status_code == 413:
            headers["Connection"] = "close"  # the rest of that body is not wanted
        return _error(error.status_code, printable(str(error.detail), 200), headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return _error(422, validation_message(error.errors()))

    for kind, (status, message) in ENGINE_ERRORS.items():
        app.add_exception_handler(kind, _fixed(status, message))

    @app.exception_handler(FilterError)
    def _filter(_: Request, error: FilterError) -> JSONResponse:
        # Its message quotes at most a short excerpt of the input, and names what the index
        # declares filterable: public by definition.
        return _error(400, printable(str(error), 300))


def _fixed(status: int, message: str) -> Callable[[Request, Exception], JSONResponse]:
    def handler(_: Request, __: Exception) -> JSONResponse:
        return _error(status, message)

    return handler
