"""GET /health: engine reachable, index present, document count; on a lane of its own."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Response
from pydantic import BaseModel

from searcher.api.lanes import run_in
from searcher.api.service import ServiceDep
from searcher.errors import IndexNotFound, SearcherError

router = APIRouter()


class Health(BaseModel):
    status: str
    engine: str
    index: str
    documents: int | None = None


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
async def health(service: ServiceDep) -> Response:
    about = {"engine": service.engine.name, "index": service.index}
    try:
        count = await run_in(service.lanes.health, service.engine.quick_count, service.index)
    except IndexNotFound:
        return _json({"status": "no index", **about}, 503)
    except SearcherError:
        return _json({"status": "engine unavailable", **about}, 503)
    return _json({"status": "ok", **about, "documents": count})


def _json(content: dict, status: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status, media_type="application/json")
