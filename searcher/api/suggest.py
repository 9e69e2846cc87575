"""GET /suggest: completions of the word being typed, as written in the documents."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from searcher.api.lanes import run_in
from searcher.api.service import ServiceDep
from searcher.limits import CACHE_SECONDS, MAX_QUERY_CHARS
from searcher.suggest import suggest

router = APIRouter()


class Suggestions(BaseModel):
    query: str
    suggestions: list[str]


@router.get("/suggest", response_model=Suggestions)
async def suggestions(
    service: ServiceDep, q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)]
) -> Response:
    found = await run_in(
        service.lanes.search, suggest, service.engine, service.index, service.analyzer, q
    )
    return Response(
        orjson.dumps({"query": q, "suggestions": found}),
        media_type="application/json",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )
