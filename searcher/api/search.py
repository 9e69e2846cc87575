"""GET /search: ranked hits with snippets, the `searcher search --json` shape, cacheable
unless `partial` (some shards did not answer): such an answer no cache may keep."""

from __future__ import annotations

import hashlib
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request, Response

from searcher import vocalised
from searcher.api.lanes import run_in
from searcher.api.service import ServiceDep
from searcher.limits import CACHE_SECONDS, MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY_CHARS
from searcher.models import SearchResponse
from searcher.query import parse

router = APIRouter()


@router.get("/search", response_model=SearchResponse)
async def search(
    request: Request,
    service: ServiceDep,
    q: Annotated[
        str, Query(max_length=MAX_QUERY_CHARS, description='words, "phrases", -not, a OR b')
    ],
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
) -> Response:
    plan = parse(q, service.analyzer)
    result = await run_in(
        service.lanes.search,
        vocalised.search,
        service.engine,
        service.index,
        plan,
        service.analyzer,
        page=page,
        size=size,
    )
    if result.partial:
        full = orjson.dumps(result.model_dump(mode="json"))
        no_store = {"Cache-Control": "no-store"}
        return Response(full, media_type="application/json", headers=no_store)
    body = orjson.dumps(result.model_dump(mode="json", exclude={"took_ms"}))
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={CACHE_SECONDS}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    full = orjson.dumps(result.model_dump(mode="json"))
    return Response(full, media_type="application/json", headers=headers)
