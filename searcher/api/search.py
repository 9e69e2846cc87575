"""GET /search: ranked hits with snippets, the `searcher search --json` shape, cacheable
unless `partial` (some shards did not answer): such an answer no cache may keep.

Beside `q`, the search-box vocabulary of Meilisearch and Algolia: filters (`tag`, `tags_match`,
`since`, `until`, `filter=field=value`), `sort` and `facets`; every one bounded here, checked
against what the index declares (`searcher/filters.py`: an undeclared field is a 400 naming
what is declared), and the same in the CLI.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import StringConstraints

from searcher import facets as facet_counts
from searcher import filters, vocalised
from searcher.api.lanes import run_in
from searcher.api.service import Service, ServiceDep
from searcher.limits import (
    CACHE_SECONDS,
    MAX_FACET_FIELDS,
    MAX_FILTER_VALUES,
    MAX_KEYWORD_CHARS,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_QUERY_CHARS,
)
from searcher.models import SearchResponse
from searcher.query import parse
from searcher.sorting import SortOrder

router = APIRouter()

FIELD_CHARS = 40  # a field name (filters.FIELD_NAME) is at most this long
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=MAX_KEYWORD_CHARS)]
FieldValue = Annotated[str, StringConstraints(max_length=FIELD_CHARS + 1 + MAX_KEYWORD_CHARS)]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=FIELD_CHARS)]
When = Annotated[str, StringConstraints(max_length=40)]


@router.get("/search", response_model=SearchResponse, responses={400: {}})
async def search(
    request: Request,
    service: ServiceDep,
    q: Annotated[
        str,
        Query(
            max_length=MAX_QUERY_CHARS,
            description='words, "phrases", -not, a OR b; empty with a filter: every document it '
            "lets through",
        ),
    ],
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 10,
    tag: Annotated[
        list[Keyword],
        Query(max_length=MAX_FILTER_VALUES, description="only documents with this tag (repeat)"),
    ] = [],  # noqa: B006 (FastAPI copies defaults)
    tags_match: Annotated[
        Literal["any", "all"], Query(description="several tags: any of them, or all")
    ] = "any",
    since: Annotated[When | None, Query(description="published on or after: 2025-12-01")] = None,
    until: Annotated[When | None, Query(description="published on or before: 2025-12-31")] = None,
    field_filters: Annotated[
        list[FieldValue],
        Query(
            alias="filter",
            max_length=MAX_FILTER_VALUES,
            description="field=value on a field the index declares filterable (repeat: any of "
            "the values of one field, all of the fields)",
        ),
    ] = [],  # noqa: B006
    sort: Annotated[
        SortOrder, Query(description="relevance, or date: newest first, ties by relevance")
    ] = "relevance",
    facets: Annotated[
        list[FieldName],
        Query(
            max_length=MAX_FACET_FIELDS,
            description="count the matches per value of tags or a declared field (repeat)",
        ),
    ] = [],  # noqa: B006
) -> Response:
    wanted = filters.build(
        tags=tag, tags_match=tags_match, since=since, until=until, filters=field_filters
    )
    result = await run_in(
        service.lanes.search, _search, service, q, wanted, sort, facets, page, size
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


def _search(
    service: Service,
    q: str,
    wanted: filters.Filters,
    sort: SortOrder,
    facets: list[str],
    page: int,
    size: int,
) -> SearchResponse:
    engine, index = service.engine, service.index
    counted = facet_counts.check_search(wanted, facets, lambda: engine.declared_fields(index))
    plan = parse(q, service.analyzer, wanted)
    return vocalised.search(
        engine, index, plan, service.analyzer, page=page, size=size, sort=sort, facets=counted
    )
