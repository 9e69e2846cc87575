"""The engine seam: the few operations `searcher` needs from a search engine.

`indexer`, `query`, the CLI and the API only ever hold an `Engine`, obtained from
`searcher.engines.open_engine`.  Implementations sit beside this file: `embedded` (tantivy, on
disk, no server), `elasticsearch` and `opensearch` (same wire bodies, `wire.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from searcher.arabic import Token
from searcher.limits import MAX_ID_BYTES
from searcher.models import Document, SearchResponse
from searcher.query import QueryPlan


@dataclass(frozen=True)
class BulkItem:
    """What happened to one document of a bulk request."""

    id: str
    ok: bool
    replaced: bool = False
    error: str | None = None


def id_error(doc_id: str) -> str | None:
    """Why an engine refuses this id, or None.  Elasticsearch and OpenSearch refuse ids over
    `MAX_ID_BYTES` (and fail the WHOLE bulk request for one); every engine refuses that one
    document instead, with this message, so it becomes a reject like any other."""
    size = len(doc_id.encode())
    if size > MAX_ID_BYTES:
        return f"id is {size:,} bytes, longer than the {MAX_ID_BYTES} bytes allowed"
    return None


@runtime_checkable
class Engine(Protocol):
    name: str

    def create_index(self, index: str) -> None:
        """Create an empty index with the Arabic analysis (no-op if it exists)."""

    def delete_index(self, index: str) -> None:
        """Delete a physical index (missing is fine)."""

    def exists(self, index: str) -> bool:
        """Does this index or alias exist?"""

    def bulk(self, index: str, docs: Sequence[Document]) -> list[BulkItem]:
        """Index (insert or replace by id) one chunk; one item per document, in order."""

    def delete_document(self, index: str, doc_id: str) -> bool:
        """Remove one document by id; False if there was none."""

    def prefix_sources(self, index: str, pattern: str, size: int) -> list[dict]:
        """Sources of documents with an exact-field term matching `pattern` (a regex over
        normalised terms, letters only), for search-as-you-type suggestions."""

    def refresh(self, index: str) -> None:
        """Make everything written so far visible to searches."""

    def count(self, index: str) -> int:
        """Number of searchable documents."""

    def search(
        self, index: str, plan: QueryPlan, *, page: int = 1, size: int = 10
    ) -> SearchResponse:
        """Ranked hits for a parsed query, with snippets of the original text."""

    def analyze(self, text: str, *, stemmed: bool = True) -> list[Token]:
        """The engine's own analysis of `text` (what it indexes), offsets into `text`."""

    def indices(self, prefix: str) -> list[str]:
        """Physical indices whose name starts with `prefix`."""

    def alias_targets(self, alias: str) -> list[str]:
        """The physical indices an alias points at (empty if none)."""

    def point_alias(self, alias: str, index: str) -> list[str]:
        """Atomically make `alias` point at `index` only; returns what it pointed at before."""

    def close(self) -> None:
        """Flush and release resources."""
