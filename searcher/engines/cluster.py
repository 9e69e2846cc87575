"""`ClusterEngine`: the Engine protocol over an Elasticsearch-compatible REST API.

Subclasses (`elasticsearch.py`, `opensearch.py`) only build their official client and name
its exception types and bulk helper; everything that goes over the wire is in `wire.py`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from searcher.arabic import ArabicAnalyzer, Token
from searcher.engines import template, wire
from searcher.engines.base import BulkItem, id_error
from searcher.errors import EngineUnavailable, IndexNotFound, SearcherError
from searcher.models import Document, SearchResponse
from searcher.query import QueryPlan
from searcher.settings import Settings

BULK_MAX_RETRIES = 8  # 429s retried with exponential backoff from...
BULK_INITIAL_BACKOFF = 0.5  # ...half a second, doubling
# Requests in flight per chunk: a node indexes a shard's requests on several write threads
# (two on these machines), so one request at a time leaves half of it idle.
BULK_CONCURRENCY = 2
BULK_MIN_PART = 50  # smaller chunks go as one request


def redact(url: str) -> str:
    """The URL without user:password, for messages."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # host[:port] as written (IPv6 keeps its brackets)
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class ClusterEngine:
    name: ClassVar[str]
    # Set by subclasses: exception classes and the client's streaming_bulk helper.
    not_found_error: ClassVar[type[Exception]]
    connection_errors: ClassVar[tuple[type[Exception], ...]]
    api_error: ClassVar[type[Exception]]
    streaming_bulk: ClassVar[Callable[..., Any]]

    def __init__(self, settings: Settings, analyzer: ArabicAnalyzer) -> None:
        self.settings = settings
        self.analyzer = analyzer
        self.where = redact(settings.url)
        self.client = self.make_client(settings)

    def make_client(self, settings: Settings) -> Any:
        raise NotImplementedError

    # -- error translation ----------------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a client call; unreachable engines and missing indices become clear errors."""
        try:
            return fn(*args, **kwargs)
        except self.connection_errors as error:
            raise EngineUnavailable(
                f"{self.name} at {self.where} is unreachable ({what}): {type(error).__name__}"
            ) from None
        except self.not_found_error as error:
            raise IndexNotFound(f"{self.name} at {self.where}: {what}: not found") from error
        except self.api_error as error:
            raise SearcherError(f"{self.name} at {self.where} refused {what}: {error}") from None

    # -- lifecycle ------------------------------------------------------------------------------

    def create_index(self, index: str) -> None:
        if self.exists(index):
            return
        builtin = self.settings.engine_analysis == "builtin"
        body = template.index_body(self.analyzer, builtin_only=builtin)
        try:
            self._call(
                f"creating index {index!r}", self.client.indices.create, index=index, body=body
            )
        except SearcherError as error:
            if "Unknown char_filter type [mapping]" in str(error):
                raise SearcherError(
                    f"{error}. This node lacks the analysis-common module (Arabic filters); "
                    "install a regular distribution, or set SEARCHER_ENGINE_ANALYSIS=builtin "
                    "to index without Arabic folding"
                ) from None
            raise

    def delete_index(self, index: str) -> None:
        self._call(
            f"deleting {index!r}", self.client.indices.delete, index=index, ignore_unavailable=True
        )

    def exists(self, index: str) -> bool:
        return bool(self._call("checking the index", self.client.indices.exists, index=index))

    def indices(self, prefix: str) -> list[str]:
        found = self._call(
            "listing indices", self.client.indices.get, index=f"{prefix}*", ignore_unavailable=True
        )
        return sorted(found)

    def alias_targets(self, alias: str) -> list[str]:
        try:
            found = self._call(
                f"reading alias {alias!r}", self.client.indices.get_alias, name=alias
            )
        except IndexNotFound:
            return []
        return sorted(found)

    def point_alias(self, alias: str, index: str) -> list[str]:
        current = self.alias_targets(alias)
        alias_is_index = not current and self.exists(alias)
        actions = wire.alias_actions(alias, index, current, alias_is_index)
        self._call(
            f"pointing alias {alias!r} at {index!r}",
            self.client.indices.update_aliases,
            body={"actions": actions},
        )
        return current if current else ([alias] if alias_is_index else [])

    def close(self) -> None:
        self.client.close()

    # -- writing --------------------------------------------------------------------------------

    def bulk(self, index: str, docs: Sequence[Document]) -> list[BulkItem]:
        """One chunk, sent as BULK_CONCURRENCY requests at once (429s retried with backoff).

        A document the engine refuses is a failed item (it goes to the rejects file).  A request
        the engine never answered (node down, connection cut) is NOT: that raises, so the
        checkpoint stays before this chunk and a rerun sends it again.
        """
        docs = list(docs)
        refusals = [id_error(doc.id) for doc in docs]
        if any(refusals):  # the engine would fail the whole request for one of these
            sent = iter(self.bulk(index, [d for d, e in zip(docs, refusals, strict=True) if not e]))
            return [
                BulkItem(doc.id, False, error=error) if error else next(sent)
                for doc, error in zip(docs, refusals, strict=True)
            ]
        n_parts = min(BULK_CONCURRENCY, max(1, len(docs) // BULK_MIN_PART))
        if n_parts == 1:
            return self._bulk_part(index, docs)
        # Split by id, not by position: every copy of an id travels in the same request, in
        # dump order, so "the last one wins" holds even with requests in flight together.
        slots: list[list[int]] = [[] for _ in range(n_parts)]
        for position, doc in enumerate(docs):
            slots[hash(doc.id) % n_parts].append(position)
        results: list[BulkItem | None] = [None] * len(docs)
        with ThreadPoolExecutor(n_parts) as pool:
            # map re-raises the first failure of any part.
            done = pool.map(lambda slot: self._bulk_part(index, [docs[i] for i in slot]), slots)
            for slot, items in zip(slots, done, strict=True):
                for position, item in zip(slot, items, strict=True):
                    results[position] = item
        return [item for item in results if item is not None]

    def _bulk_part(self, index: str, docs: list[Document]) -> list[BulkItem]:
        items = []
        results = type(self).streaming_bulk(
            self.client,
            wire.bulk_actions(index, docs),
            chunk_size=max(1, len(docs)),
            max_retries=BULK_MAX_RETRIES,
            initial_backoff=BULK_INITIAL_BACKOFF,
            raise_on_error=False,
            raise_on_exception=True,
        )
        try:
            for ok, item in results:
                result = next(iter(item.values()))
                doc_id = str(result.get("_id"))
                if ok:
                    items.append(BulkItem(doc_id, True, replaced=result.get("result") == "updated"))
                else:
                    items.append(BulkItem(doc_id, False, error=wire.bulk_error(item)))
        except self.connection_errors as error:
            raise EngineUnavailable(
                f"{self.name} at {self.where} became unreachable during bulk indexing "
                f"({type(error).__name__}); rerun to resume"
            ) from None
        except self.api_error as error:
            raise SearcherError(
                f"{self.name} at {self.where} refused a bulk request: {error}"
            ) from None
        # One result per action, in request order (the same id twice in a chunk is two items:
        # created, then updated).
        if [item.id for item in items] != [doc.id for doc in docs]:
            raise SearcherError(f"{self.name} at {self.where} answered a bulk request out of order")
        return items

    def delete_document(self, index: str, doc_id: str) -> bool:
        try:
            self._call(
                f"deleting {doc_id!r}", self.client.delete, index=index, id=doc_id, refresh=True
            )
        except IndexNotFound:
            return False
        return True

    def prefix_sources(self, index: str, pattern: str, size: int) -> list[dict]:
        body = wire.prefix_body(pattern, size)
        response = self._call(
            f"suggesting from {index!r}", self.client.search, index=index, body=body
        )
        return [hit["_source"] for hit in response["hits"]["hits"]]

    def refresh(self, index: str) -> None:
        self._call(f"refreshing {index!r}", self.client.indices.refresh, index=index)

    def count(self, index: str) -> int:
        return int(self._call(f"counting {index!r}", self.client.count, index=index)["count"])

    # -- reading --------------------------------------------------------------------------------

    def search(
        self, index: str, plan: QueryPlan, *, page: int = 1, size: int = 10
    ) -> SearchResponse:
        started = time.perf_counter()
        if plan.is_empty:
            if not self.exists(index):
                raise IndexNotFound(f"{self.name} at {self.where}: no index {index!r}")
            return SearchResponse(total=0, took_ms=0.0, hits=[])
        body = wire.search_body(plan, page, size)
        response = self._call(f"searching {index!r}", self.client.search, index=index, body=body)
        total, hits = wire.parse_hits(dict(response))
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(total=total, took_ms=round(took, 2), hits=hits)

    def analyze(self, text: str, *, stemmed: bool = True, index: str | None = None) -> list[Token]:
        """The engine's `_analyze` with our analyzer (from `index`, or defined inline)."""
        analyzer_name = "arabic_light" if stemmed else "arabic_exact"
        if index:
            body: dict[str, Any] = {"analyzer": analyzer_name, "text": text}
        else:
            analysis = template.analysis_settings(self.analyzer)
            spec = analysis["analyzer"][analyzer_name]
            body = {
                "char_filter": [analysis["char_filter"][n] for n in spec["char_filter"]],
                "tokenizer": analysis["tokenizer"][spec["tokenizer"]],
                "filter": [analysis["filter"].get(n, n) for n in spec["filter"]],
                "text": text,
            }
        response = self._call("analyzing text", self.client.indices.analyze, index=index, body=body)
        return [
            Token(t["token"], t["start_offset"], t["end_offset"], t["position"])
            for t in response["tokens"]
        ]
