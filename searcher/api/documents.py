"""POST /documents and DELETE /documents/{id}: only with the write key, all or nothing.

The key is checked before the body is read (`middleware.WriteGate`); the dependency here
checks it again and puts it in the OpenAPI schema.  The body is streamed and counted up to the
configured limit (413 beyond it, however the client framed it: Content-Length, a lying one, or
chunked).  Every document is validated and encoded before any is written, so one bad document
means nothing of the request is written.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, BeforeValidator

from searcher.api.errors import ErrorBody
from searcher.api.lanes import run_in
from searcher.api.service import Service, ServiceDep
from searcher.api.writekey import HEADER, WriteKey
from searcher.limits import MAX_DOCUMENTS_PER_POST
from searcher.models import Document

PREFIX = "/documents"
_KEY_HEADER = APIKeyHeader(name=HEADER, auto_error=False)


class WriteResult(BaseModel):
    indexed: int = 0
    deleted: int = 0
    errors: list[str] = []


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


# One document or a list: validated as a list (so errors read "body.0.title: ..."), documented
# as either.
Documents = Annotated[
    list[Document],
    BeforeValidator(_as_list, json_schema_input_type=list[Document] | Document),
    Body(
        description=f"one document, or a list of up to {MAX_DOCUMENTS_PER_POST}",
        examples=[
            [{"id": "n1", "title": "خبر", "body": "افتتاح مكتبة عامة في المدينة"}],
            {"id": "n2", "title": "مقال", "body": "نص المقال", "url": "https://example.org/n2"},
        ],
    ),
]


def _check_encodable(documents: list[Document]) -> None:
    """Every document must serialise before any is written (the engines store this JSON)."""
    for number, document in enumerate(documents, 1):
        try:
            orjson.dumps(document.source())
        except orjson.JSONEncodeError as error:
            raise HTTPException(422, f"document {number} cannot be stored: {error}") from error


def _index(service: Service, documents: list[Document]) -> WriteResult:
    service.engine.create_index(service.index)
    items = service.engine.bulk(service.index, documents)
    service.engine.refresh(service.index)
    return WriteResult(
        indexed=sum(i.ok for i in items),
        errors=[f"{i.id}: {i.error}" for i in items if not i.ok],
    )


def _delete(service: Service, doc_id: str) -> bool:
    if not service.engine.delete_document(service.index, doc_id):
        return False
    service.engine.refresh(service.index)
    return True


def router(key: WriteKey, max_body_bytes: int) -> APIRouter:
    """The write routes, for `key`, with bodies capped at `max_body_bytes`."""

    def require_key(given: Annotated[str | None, Security(_KEY_HEADER)] = None) -> None:
        # Starlette decodes header bytes as Latin-1; encoding back gives the bytes sent.
        if not key.matches(given.encode("latin-1") if given is not None else None):
            raise HTTPException(401, f"a valid {HEADER} header is required")

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (401, 404, 413, 422, 503)
    }
    routes = APIRouter(
        prefix=PREFIX,
        dependencies=[Depends(require_key)],
        responses=errors,
        max_body_size=max_body_bytes,
    )

    @routes.post("", response_model=WriteResult)
    async def add_documents(service: ServiceDep, documents: Documents) -> WriteResult:
        if len(documents) > MAX_DOCUMENTS_PER_POST:
            raise HTTPException(413, f"at most {MAX_DOCUMENTS_PER_POST} documents per request")
        _check_encodable(documents)
        return await run_in(service.lanes.write, _index, service, documents)

    @routes.delete("/{doc_id:path}", response_model=WriteResult)
    async def delete_document(service: ServiceDep, doc_id: str) -> WriteResult:
        if not await run_in(service.lanes.write, _delete, service, doc_id):
            raise HTTPException(404, "no document with that id")
        return WriteResult(deleted=1)

    return routes
