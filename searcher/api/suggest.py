"""GET /suggest: completions of the word being typed, from the index's word dictionary.

A lookup in the dictionary (`searcher/dictionary.py`) costs microseconds, so it runs on the
event loop itself: no worker thread, no queue behind slow searches.  Only the very first request
waits for the dictionary to be built (on the search lane); after the index changes, a background
thread rebuilds it while requests are answered from the previous one.
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from searcher import dictionary
from searcher.api.lanes import run_in
from searcher.api.service import ServiceDep
from searcher.limits import CACHE_SECONDS, MAX_QUERY_CHARS, SUGGEST_MAX_SIZE
from searcher.suggest import DEFAULT_SIZE, complete

router = APIRouter()


class Suggestions(BaseModel):
    query: str
    suggestions: list[str]


@router.get("/suggest", response_model=Suggestions)
async def suggestions(
    service: ServiceDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="what has been typed")],
    size: Annotated[int, Query(ge=1, le=SUGGEST_MAX_SIZE)] = DEFAULT_SIZE,
) -> Response:
    words = dictionary.current(service.engine, service.index)
    if words is None:
        words = await run_in(service.lanes.search, dictionary.of, service.engine, service.index)
    found = complete(words, service.analyzer, q, size)
    return Response(
        orjson.dumps({"query": q, "suggestions": found}),
        media_type="application/json",
        headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}"},
    )
