"""`ClusterEngine`: the Engine protocol over an Elasticsearch-compatible REST API.

Subclasses (`elasticsearch.py`, `opensearch.py`) only build their official client and name its
exception types; everything that goes over the wire is in `wire.py`, how bulk requests are cut,
retried and split is in `bulk.py`, the reindex lease in `cluster_lease.py`.

Three clients share the settings' URL and credentials but not their patience: `client` (bulk
and admin calls: SEARCHER_REQUEST_TIMEOUT, SEARCHER_MAX_RETRIES), `search_client` (a reader is
waiting: SEARCHER_SEARCH_TIMEOUT, at most one retry) and `probe_client` (/health: about a
second, no retry), so a stalled node turns searches into quick 503s while a reindex waits it out.
"""

from __future__ import annotations

import functools
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from searcher import facets as facet_counts
from searcher.arabic import ArabicAnalyzer, Token
from searcher.dictionary import DocumentWords
from searcher.engines import template, wire
from searcher.engines.base import BulkItem
from searcher.engines.bulk import (
    Encoded,
    Refusal,
    RequestRefused,
    Sender,
    TargetGone,
    refusal_of_exception,
)
from searcher.errors import EngineUnavailable, IndexNotFound, SearcherError
from searcher.filters import check as check_filters
from searcher.lease import Holder, Lease
from searcher.limits import (
    BULK_CHUNK_DOCUMENTS,
    BULK_REQUEST_BYTES,
    BULK_SECONDS_PER_MIB,
    DECLARED_CACHE_SECONDS,
    DICTIONARY_MAX_AGE_SECONDS,
    HEALTH_TIMEOUT_SECONDS,
)
from searcher.models import Document, SearchResponse
from searcher.names import WRITER_SUFFIX, check_name
from searcher.query import QueryPlan
from searcher.settings import Settings
from searcher.sorting import SortOrder

BULK_MAX_RETRIES = 8  # 429s retried with exponential backoff from...
BULK_INITIAL_BACKOFF = 0.5  # ...half a second, doubling
# Requests in flight per chunk: a node indexes a shard's requests on several write threads
# (two on these machines), so one request at a time leaves half of it idle.
BULK_CONCURRENCY = 2
BULK_MIN_PART = 50  # smaller chunks go as one request
# Statuses of a bulk item whose shard is not available right now (503: no active primary after
# the request's `timeout`): the document is fine, the cluster is not.  Never a reject.
BULK_LOAD_REFRESH = "-1"  # no periodic refresh while an index is first loaded
HEALTH_POLL_S = 0.5  # between cluster-health checks while replicas are being allocated
DICTIONARY_PAGE = 10_000  # dictionary values per request (under the default max_buckets)


def redact(url: str) -> str:
    """The URL without user:password, for messages."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # host[:port] as written (IPv6 keeps its brackets)
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class WriteTarget:
    """Where a name's bulk writes go: `alias` (always an alias, so `require_alias` holds) and
    the concrete `index` behind it, for id lookups."""

    alias: str
    index: str


class ClusterEngine:
    name: ClassVar[str]
    chunk_size: ClassVar[int] = BULK_CHUNK_DOCUMENTS
    # Set by subclasses: exception classes, and the highlight request's name for its bound
    # (Elasticsearch: max_analyzed_offset; OpenSearch 2.x: max_analyzer_offset).
    not_found_error: ClassVar[type[Exception]]
    conflict_error: ClassVar[type[Exception]]
    connection_errors: ClassVar[tuple[type[Exception], ...]]
    api_error: ClassVar[type[Exception]]
    highlight_max_offset_key: ClassVar[str]

    def __init__(self, settings: Settings, analyzer: ArabicAnalyzer) -> None:
        self.settings = settings
        self.analyzer = analyzer
        self.where = ", ".join(redact(url) for url in settings.urls)
        self.client = self.make_client(settings, settings.request_timeout, settings.max_retries)
        self._targets: dict[str, WriteTarget] = {}
        # What each index declares filterable, and when it was read (see `declared_fields`).
        self._declared: dict[str, tuple[float, tuple[str, ...]]] = {}
        # Bumped by every write this process makes, so its own writes reach the dictionary.
        self._writes: dict[str, int] = defaultdict(int)

    @functools.cached_property
    def _words(self) -> DocumentWords:
        return DocumentWords(self.analyzer)

    def make_client(self, settings: Settings, timeout: float, retries: int) -> Any:
        raise NotImplementedError

    def bulk_request(self, body: bytes, timeout: float) -> Any:
        """One `_bulk` call with `require_alias=true` and its own timeout (clients differ)."""
        raise NotImplementedError

    @cached_property
    def search_client(self) -> Any:
        return self.make_client(
            self.settings, self.settings.search_timeout, self.settings.search_max_retries
        )

    @cached_property
    def probe_client(self) -> Any:
        return self.make_client(self.settings, HEALTH_TIMEOUT_SECONDS, 0)

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

    def _index_body(self, *, bulk_load: bool = False) -> dict[str, Any]:
        settings = self.settings
        return template.index_body(
            self.analyzer,
            shards=settings.shards,
            # Loading into replicas indexes every document once per copy; copying the finished
            # shards afterwards is cheaper.  And no refresh until the load is done.
            replicas=0 if bulk_load else settings.replicas,
            refresh_interval=BULK_LOAD_REFRESH if bulk_load else settings.refresh_interval,
            filterable=settings.filterable,
        )

    def create_index(self, index: str, *, bulk_load: bool = False) -> None:
        if self.exists(index):
            return
        body = self._index_body(bulk_load=bulk_load)
        self._declared.pop(index, None)
        try:
            self._call(
                f"creating index {index!r}", self.client.indices.create, index=index, body=body
            )
        except SearcherError as error:
            # Any analysis-common type (mapping, pattern_replace, ...) the node does not know.
            if re.search(r"Unknown (?:char_filter|filter|tokenizer) type \[", str(error)):
                raise SearcherError(
                    f"{error}. This node lacks the analysis-common module (Arabic filters), "
                    "which every regular distribution and the official images ship"
                ) from None
            raise

    def finish_bulk_load(self, index: str) -> None:
        replicas = self.settings.replicas
        restored = {
            "number_of_replicas": replicas,
            "refresh_interval": self.settings.refresh_interval,
        }
        self._call(
            f"restoring {index!r}'s layout",
            self.client.indices.put_settings,
            index=index,
            body={"index": restored},  # a None refresh_interval resets it to the default
        )
        self.refresh(index)
        self._wait_for_green(index, replicas)

    def _wait_for_green(self, index: str, replicas: int) -> None:
        """Every shard copy allocated, or a clear error (the caller does not swap the alias)."""
        timeout = self.settings.allocation_timeout
        deadline = time.monotonic() + timeout
        while True:
            # Polled, not a server-side wait: the two clients spell that wait's timeout apart.
            health = self._call(
                f"waiting for {index!r}'s replicas", self.client.cluster.health, index=index
            )
            if health["status"] == "green":
                return
            nodes = int(health["number_of_data_nodes"])
            if replicas >= nodes:
                raise SearcherError(
                    f"{index!r} asks for {replicas} replica(s) of each shard, but the cluster at "
                    f"{self.where} has {nodes} data node(s) and keeps copies of a shard on "
                    f"different nodes: lower SEARCHER_REPLICAS (--replicas) below {nodes}"
                )
            if time.monotonic() > deadline:
                raise SearcherError(
                    f"{index!r} is still {health['status']} after {timeout:.0f} s: not every "
                    f"shard copy is allocated ({health['unassigned_shards']} unassigned)"
                )
            time.sleep(HEALTH_POLL_S)

    def delete_index(self, index: str) -> None:
        check_name(index)
        self._targets.pop(index, None)
        self._call(
            f"deleting {index!r}", self.client.indices.delete, index=index, ignore_unavailable=True
        )
        self._declared.pop(index, None)

    def exists(self, index: str) -> bool:
        check_name(index)
        return bool(self._call("checking the index", self.client.indices.exists, index=index))

    def indices(self, prefix: str) -> list[str]:
        check_name(prefix)
        found = self._call(
            "listing indices", self.client.indices.get, index=f"{prefix}*", ignore_unavailable=True
        )
        return sorted(found)

    def _aliases(self, alias: str) -> dict[str, dict[str, Any]]:
        """{index: that index's settings for `alias`} for every index `alias` points at."""
        check_name(alias)
        try:
            found = self._call(
                f"reading alias {alias!r}", self.client.indices.get_alias, name=alias
            )
        except IndexNotFound:
            return {}
        return {index: entry["aliases"].get(alias, {}) for index, entry in dict(found).items()}

    def alias_targets(self, alias: str) -> list[str]:
        return sorted(self._aliases(alias))

    def point_alias(self, alias: str, index: str) -> list[str]:
        check_name(index)
        current = self.alias_targets(alias)
        alias_is_index = not current and self.exists(alias)
        actions = wire.alias_actions(alias, index, current, alias_is_index)
        self._call(
            f"pointing alias {alias!r} at {index!r}",
            self.client.indices.update_aliases,
            body={"actions": actions},
        )
        self._declared.pop(alias, None)
        self._writes[alias] += 1
        return current if current else ([alias] if alias_is_index else [])

    def close(self) -> None:
        self.client.close()
        for spare in ("search_client", "probe_client"):
            if spare in self.__dict__:  # made on first use only
                self.__dict__[spare].close()

    # -- writing --------------------------------------------------------------------------------

    def _write_target(self, name: str) -> WriteTarget:
        """The alias `name`'s writes go through, resolved once per engine.

        Writes always name an alias and carry `require_alias=true`: were the index deleted
        mid-run (another run's prune, a person), the engine answers 404 instead of quietly
        auto-creating an index of that name with default mappings and no Arabic analysis.  A
        concrete index gets a hidden writer alias of its own (`NAME.writer`) for this.
        """
        if name in self._targets:
            return self._targets[name]
        aliases = self._aliases(name)
        if len(aliases) == 1:
            target = WriteTarget(name, next(iter(aliases)))
        elif aliases:
            writers = [index for index, entry in aliases.items() if entry.get("is_write_index")]
            if len(writers) != 1:
                raise SearcherError(
                    f"{self.name} at {self.where}: alias {name!r} points at {len(aliases)} "
                    f"indices ({', '.join(sorted(aliases))}) and none is its write index, so "
                    "there is no write index to send documents to; rebuild it onto one index "
                    "with `searcher reindex`, or mark one with is_write_index"
                )
            target = WriteTarget(name, writers[0])
        elif self.exists(name):
            writer = f"{name}{WRITER_SUFFIX}"
            if name not in self._aliases(writer):
                action = {"add": {"index": name, "alias": writer, "is_hidden": True}}
                self._call(
                    f"adding the writer alias of {name!r}",
                    self.client.indices.update_aliases,
                    body={"actions": [action]},
                )
            target = WriteTarget(writer, name)
        else:
            raise self._gone(name)
        self._targets[name] = target
        return target

    def existing_ids(self, index: str, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are in `index` right now (a realtime mget: unrefreshed writes count)."""
        if not ids:
            return set()
        lookup = self._write_target(index).index
        try:
            response = self._call(
                f"looking up ids in {index!r}",
                self.client.mget,
                index=lookup,
                body={"ids": list(ids)},
                _source=False,
            )
        except IndexNotFound:
            raise self._gone(index) from None
        return {doc["_id"] for doc in response["docs"] if doc.get("found")}

    def bulk(
        self, index: str, docs: Sequence[Document], *, existing: set[str] | None = None
    ) -> list[BulkItem]:
        """One chunk, sent as BULK_CONCURRENCY parts at once (see `bulk.Sender` for how each part
        is cut into requests, retried and split).

        `replaced` comes from `existing`, the ids present before this call (looked up now when
        not given), never from the engine's "updated": a request the client resent after a
        timeout comes back "updated" although this call created those documents.  A document
        the engine refuses is a failed item (it goes to the rejects file).  A request the engine
        never answered (node down, connection cut) is NOT: that raises, so the checkpoint stays
        before this chunk and a rerun sends it again.
        """
        docs = list(docs)
        if not docs:
            return []
        target = self._write_target(index)
        if existing is None:
            existing = self.existing_ids(index, [doc.id for doc in docs])
        encoded = [
            Encoded.of(position, target.alias, doc.id, wire.indexed_source(doc, self._words))
            for position, doc in enumerate(docs)
        ]
        n_parts = min(BULK_CONCURRENCY, max(1, len(docs) // BULK_MIN_PART))
        # Split by id, not by position: every copy of an id travels in the same part, in dump
        # order, so "the last one wins" holds even with parts in flight together.
        parts: list[list[Encoded]] = [[] for _ in range(n_parts)]
        for doc, enc in zip(docs, encoded, strict=True):
            parts[hash(doc.id) % n_parts].append(enc)
        sender = self._sender()
        outcome: dict[int, str | None] = {}
        try:
            with ThreadPoolExecutor(n_parts) as pool:
                for part_outcome in pool.map(sender.send, parts):  # re-raises a part's failure
                    outcome |= part_outcome
        except TargetGone:
            raise self._gone(index) from None
        items, landed = [], set(existing)
        for position, doc in enumerate(docs):
            error = outcome[position]
            items.append(BulkItem(doc.id, error is None, doc.id in landed, error))
            if error is None:
                landed.add(doc.id)
        return items

    def _gone(self, index: str) -> IndexNotFound:
        self._targets.pop(index, None)
        return IndexNotFound(
            f"{self.name} at {self.where}: no index {index!r} to write to (deleted while it was "
            "being written, or never created); nothing was created in its place"
        )

    def _sender(self) -> Sender:
        def request(body: bytes) -> list[dict[str, Any]]:
            timeout = self.settings.request_timeout + BULK_SECONDS_PER_MIB * len(body) / 2**20
            try:
                response = self.bulk_request(body, timeout)
            except self.connection_errors as error:
                raise EngineUnavailable(
                    f"{self.name} at {self.where} became unreachable during bulk indexing "
                    f"({type(error).__name__}); rerun to resume"
                ) from None
            except self.api_error as error:
                raise RequestRefused(self._refusal_of(error)) from None
            return [next(iter(item.values())) for item in response["items"]]

        return Sender(
            request,
            max_bytes=BULK_REQUEST_BYTES,
            max_retries=BULK_MAX_RETRIES,
            initial_backoff=BULK_INITIAL_BACKOFF,
            describe=f"{self.name} at {self.where}",
        )

    def _refusal_of(self, error: Exception) -> Refusal:
        status = int(getattr(error, "status_code", 0) or 0)
        info, kind = getattr(error, "info", None), str(getattr(error, "error", ""))
        return refusal_of_exception(status, info, kind)

    def delete_document(self, index: str, doc_id: str) -> bool:
        check_name(index)
        try:
            self._call(
                f"deleting {doc_id!r}", self.client.delete, index=index, id=doc_id, refresh=True
            )
        except IndexNotFound:
            return False
        self._writes[index] += 1
        return True

    def refresh(self, index: str) -> None:
        check_name(index)
        self._call(f"refreshing {index!r}", self.client.indices.refresh, index=index)
        self._writes[index] += 1

    def count(self, index: str) -> int:
        check_name(index)
        return int(self._call(f"counting {index!r}", self.client.count, index=index)["count"])

    def quick_count(self, index: str) -> int:
        """`count` within about HEALTH_TIMEOUT_SECONDS, no retry: for /health."""
        check_name(index)
        counted = self._call(f"counting {index!r}", self.probe_client.count, index=index)
        return int(counted["count"])

    def verify_index(self, index: str) -> None:
        """Refuse `index` unless it carries the analysis and field mappings this engine creates.

        The last check before a reindex points the alias at an index: an index made any other
        way (an auto-create, another tool) has default mappings and no Arabic analysis, and
        every search through the alias would quietly find nothing.
        """
        check_name(index)
        expected = self._index_body()
        settings = self._call(f"reading {index!r}", self.client.indices.get_settings, index=index)
        mappings = self._call(f"reading {index!r}", self.client.indices.get_mapping, index=index)
        ((_, found_settings),) = dict(settings).items()
        ((_, found_mappings),) = dict(mappings).items()
        analysis = found_settings["settings"]["index"].get("analysis", {})
        if _as_strings(analysis) != _as_strings(expected["settings"]["analysis"]):
            raise SearcherError(
                f"{self.name} at {self.where}: {index!r} lacks the Arabic analysis searcher "
                "creates indices with (made some other way, e.g. auto-created by a write)"
            )
        if _as_strings(found_mappings["mappings"]) != _as_strings(expected["mappings"]):
            raise SearcherError(
                f"{self.name} at {self.where}: {index!r} maps its fields differently from the "
                "indices searcher creates"
            )

    def lease(
        self,
        alias: str,
        *,
        seconds: float,
        take_over: bool = False,
        holder: Holder | None = None,
    ) -> Lease:
        """The reindex lease on `alias` (see `cluster_lease`)."""
        from searcher.engines.cluster_lease import ClusterLease

        check_name(alias)
        return ClusterLease.acquire(
            self, alias, seconds=seconds, take_over=take_over, holder=holder or Holder()
        )

    # -- reading --------------------------------------------------------------------------------

    def declared_fields(self, index: str) -> tuple[str, ...]:
        """What the index's mapping records in ``_meta`` (every index an alias names must
        declare a field), re-read after `DECLARED_CACHE_SECONDS`."""
        check_name(index)
        held = self._declared.get(index)
        if held is not None and time.monotonic() - held[0] < DECLARED_CACHE_SECONDS:
            return held[1]
        found = self._call(
            f"reading {index!r}'s fields", self.client.indices.get_mapping, index=index
        )
        per_index = [
            set(body.get("mappings", {}).get("_meta", {}).get("searcher", {}).get("filterable", []))
            for body in dict(found).values()
        ]
        declared = tuple(sorted(set.intersection(*per_index))) if per_index else ()
        self._declared[index] = (time.monotonic(), declared)
        return declared

    def dictionary_values(self, index: str) -> Iterator[tuple[str, int]]:
        check_name(index)
        after = None
        while True:
            body = wire.dictionary_body(after, DICTIONARY_PAGE)
            response = self._call(
                f"reading {index!r}'s words", self.client.search, index=index, body=body
            )
            forms = response["aggregations"]["forms"]
            for bucket in forms["buckets"]:
                yield bucket["key"]["value"], int(bucket["doc_count"])
            after = forms.get("after_key")
            if not forms["buckets"] or after is None:
                return

    def dictionary_version(self, index: str) -> tuple[int, int]:
        # Another process's writes are seen within DICTIONARY_MAX_AGE_SECONDS; ours at once.
        return self._writes[index], int(time.monotonic() // DICTIONARY_MAX_AGE_SECONDS)

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
        check_name(index)
        started = time.perf_counter()
        if plan.is_empty:
            if not self._call("checking the index", self.search_client.indices.exists, index=index):
                raise IndexNotFound(f"{self.name} at {self.where}: no index {index!r}")
            return SearchResponse(total=0, took_ms=0.0, hits=[], facets={n: {} for n in facets})
        if plan.filters.fields or facets:  # the callers check first; never ignored here
            declared = self.declared_fields(index)
            check_filters(plan.filters, declared)
            facet_counts.check(facets, declared)
        body = wire.search_body(plan, page, size, self.highlight_max_offset_key, sort, facets)
        response = self._call(
            f"searching {index!r}", self.search_client.search, index=index, body=body
        )
        total, hits = wire.parse_hits(dict(response), self.analyzer)
        partial, shards = wire.shard_counts(dict(response))
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(
            total=total,
            took_ms=round(took, 2),
            partial=partial,
            shards=shards,
            hits=hits,
            facets=wire.parse_facets(dict(response), facets),
        )

    def analyze(self, text: str, *, stemmed: bool = True, index: str | None = None) -> list[Token]:
        """The engine's `_analyze` with our analyzer (from `index`, or defined inline)."""
        analyzer_name = "arabic_light" if stemmed else "arabic_exact"
        if index:
            check_name(index)
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


def _as_strings(value: Any) -> Any:
    """Settings as the engines answer them: every scalar a string (`1`, `true` → "1", "true")."""
    if isinstance(value, dict):
        return {key: _as_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_strings(item) for item in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
