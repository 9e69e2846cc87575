"""The engine seam: the few operations `searcher` needs from a search engine.

`indexer`, `query`, the CLI and the API only ever hold an `Engine`, obtained from
`searcher.engines.open_engine`.  Implementations sit beside this file: `embedded` (tantivy, on
disk, no server), `elasticsearch` and `opensearch` (same wire bodies, `wire.py`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from searcher.arabic import ArabicAnalyzer, Token
from searcher.lease import Holder, Lease
from searcher.models import Document, SearchResponse
from searcher.query import QueryPlan
from searcher.sorting import SortOrder


@dataclass(frozen=True)
class BulkItem:
    """What happened to one document of a bulk request."""

    id: str
    ok: bool
    replaced: bool = False
    error: str | None = None


@runtime_checkable
class Engine(Protocol):
    name: str
    analyzer: ArabicAnalyzer  # the analysis the engine's indices are built with

    def create_index(self, index: str, *, bulk_load: bool = False) -> None:
        """Create an empty index with the Arabic analysis (no-op if it exists).

        `bulk_load`: laid out for a fast first load, as Elasticsearch advises for one (no
        periodic refresh, no replicas); `finish_bulk_load` restores the configured layout.
        """

    def finish_bulk_load(self, index: str) -> None:
        """Restore the configured replicas and refresh interval, refresh, and return once every
        replica is allocated (green); raises `SearcherError` if they cannot be in time."""

    def delete_index(self, index: str) -> None:
        """Delete a physical index (missing is fine)."""

    def exists(self, index: str) -> bool:
        """Does this index or alias exist?"""

    def existing_ids(self, index: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are in `index` right now, writes not yet refreshed included."""

    def bulk(
        self, index: str, docs: Sequence[Document], *, existing: set[str] | None = None
    ) -> list[BulkItem]:
        """Index (insert or replace by id) one chunk; one item per document, in order.

        An item is `replaced` when its id was in `existing` (the ids present before this call;
        looked up when not given) or landed earlier in this chunk.  Never writes anywhere but
        an existing index: a target deleted meanwhile raises `IndexNotFound`."""

    def delete_document(self, index: str, doc_id: str) -> bool:
        """Remove one document by id; False if there was none."""

    def refresh(self, index: str) -> None:
        """Make everything written so far visible to searches."""

    def count(self, index: str) -> int:
        """Number of searchable documents."""

    def quick_count(self, index: str) -> int:
        """`count` answered within about HEALTH_TIMEOUT_SECONDS, or an error: for /health."""

    def verify_index(self, index: str) -> None:
        """Raise unless `index` carries the analysis and mappings this engine creates."""

    def lease(
        self, alias: str, *, seconds: float, take_over: bool = False, holder: Holder | None = None
    ) -> Lease:
        """The one-reindex-at-a-time lease on `alias` (`searcher.lease`); `LeaseHeld` if another
        live run has it."""

    def search(
        self,
        index: str,
        plan: QueryPlan,
        *,
        page: int = 1,
        size: int = 10,
        sort: SortOrder = "relevance",
        facets: Sequence[str] = (),
    ) -> SearchResponse:
        """Ranked (or, `sort="date"`, newest first) hits for a parsed query and its filters,
        with snippets of the original text, and the counts of each facet asked for."""

    def declared_fields(self, index: str) -> tuple[str, ...]:
        """The keyword fields the index declares filterable (beside tags and published_at)."""

    def dictionary_values(self, index: str) -> Iterable[tuple[str, int]]:
        """Every ``term<US>form`` value of the word dictionary and how many documents hold it
        (`searcher/dictionary.py`)."""

    def dictionary_version(self, index: str) -> Hashable:
        """Changes whenever the dictionary may have changed (a commit, a refresh)."""

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
