"""How search results can be ordered (a module of its own, with no imports, so that the CLI can
offer the choices without loading the analysis that `query.py` needs)."""

from __future__ import annotations

from typing import Literal

# By relevance (BM25), or newest first by `published_at` (documents without a date last), ties
# by relevance, then by id, so pages never overlap or skip.
SortOrder = Literal["relevance", "date"]
SORT_ORDERS: tuple[SortOrder, ...] = ("relevance", "date")
