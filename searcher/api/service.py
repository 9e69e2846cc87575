"""What every router needs, shared through one FastAPI dependency (set up by `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from searcher.api.lanes import Lanes
from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine


@dataclass(frozen=True)
class Service:
    engine: Engine
    index: str
    analyzer: ArabicAnalyzer
    lanes: Lanes


def _service(request: Request) -> Service:
    return request.app.state.service


ServiceDep = Annotated[Service, Depends(_service)]
