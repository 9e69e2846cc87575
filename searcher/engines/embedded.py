"""The embedded engine: tantivy (Rust, BM25, on disk, mmap) with the Python Arabic analysis.

Why tantivy: a real inverted index with BM25, phrase positions and segment merges, read through
mmap so several processes can search one index at once, and safe against a crash (a commit is
atomic: readers only ever see committed segments).  It needs no server, so `searcher search`
works on a fresh machine.

Tantivy cannot run our Arabic rules itself, so `searcher.arabic` analyses each field in Python
and tantivy indexes the resulting terms, joined by spaces, with its whitespace tokenizer (terms
and positions as the engine template produces them; offsets are not needed: snippets re-analyse
the stored original text).  Queries are built from the same analysis, field by field, with the
boosts in `query.WORD_FIELDS`.

Beside the text, each document indexes what filters, facets and the date sort read, as fast
(columnar) fields: ``tags`` and the declared keyword fields (``kw_<name>``) raw, ``published``
as epoch milliseconds (`datesort.NO_DATE` when there is none), and ``forms`` for the word
dictionary (`searcher/dictionary.py`).

On disk (``<data_dir>/``)::

    indices/<name>/          one tantivy index + searcher.json (its analysis settings)
    aliases/<alias>          a one-line file naming the index the alias points at
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson
import tantivy

from searcher import facets as facet_counts
from searcher.arabic import ArabicAnalyzer, Token
from searcher.dictionary import DocumentWords
from searcher.engines import datesort
from searcher.engines.base import BulkItem
from searcher.engines.file_lease import FileLease
from searcher.engines.readonly import ReadOnlyView, writable
from searcher.errors import IndexLocked, IndexNotFound, ReadOnlyIndex, SearcherError
from searcher.filters import Filters, NotKeyword, epoch_millis, keyword_values
from searcher.filters import check as check_filters
from searcher.lease import Holder, Lease
from searcher.limits import FACET_CANDIDATES
from searcher.models import Document, Hit, SearchResponse
from searcher.names import check_name
from searcher.query import TIE_BREAKER, Clause, QueryPlan
from searcher.snippets import python_snippet, to_html
from searcher.sorting import SortOrder

T = TypeVar("T")
TEXT_FIELDS = ("title", "body", "title.exact", "body.exact")
# 2: analysed terms for the whitespace tokenizer; 3: new Arabic rules; 4: tags, dates, declared
# keyword fields and the word dictionary (filters, facets, the date sort, suggestions)
SCHEMA_VERSION = 4
WRITER_HEAP_BYTES = 128 * 1024 * 1024
FORMS = "forms"  # the word dictionary's field: `term<US>form` per distinct word of a document


def _field(name: str) -> str:
    """Tantivy field names cannot hold a dot: ``title.exact`` → ``title_exact``."""
    return name.replace(".", "_")


def _keyword_field(name: str) -> str:
    """The tantivy field of a keyword field: ``tags``, or ``kw_<name>`` for a declared one (the
    prefix keeps a declared name from ever meeting one of ours)."""
    return name if name == "tags" else f"kw_{name}"


def _writes(method: Callable[..., T]) -> Callable[..., T]:
    """Run the method under the engine's write lock (see `EmbeddedEngine.__init__`)."""

    @functools.wraps(method)
    def locked(self: EmbeddedEngine, *args: Any, **kwargs: Any) -> T:
        with self._write_lock:
            return method(self, *args, **kwargs)

    return locked


def _read_only(data_dir: Path, reason: str) -> ReadOnlyIndex:
    return ReadOnlyIndex(
        f"the embedded data directory {data_dir} is read-only here ({reason}): "
        "searching works, writing needs a writable directory"
    )


@contextlib.contextmanager
def _on_disk(data_dir: Path) -> Iterator[None]:
    """File-system changes to the data directory; a directory we may not write is one line."""
    try:
        yield
    except OSError as error:
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        raise _read_only(data_dir, error.strerror or "not writable") from error


@dataclass
class _Handle:
    """An open tantivy index, its schema and declared keyword fields; `view` is set when its
    directory is read-only (see readonly.py)."""

    index: tantivy.Index
    schema: tantivy.Schema
    declared: tuple[str, ...]
    view: ReadOnlyView | None = None


def _schema(declared: tuple[str, ...]) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(
            _field(name), stored=False, tokenizer_name="whitespace", index_option="position"
        )
    for name in ("tags", *declared):
        builder.add_text_field(
            _keyword_field(name), fast=True, tokenizer_name="raw", index_option="basic"
        )
    builder.add_integer_field(datesort.DATE_FIELD, indexed=True, fast=True)
    builder.add_text_field(FORMS, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("source", stored=True, indexed=False)
    return builder.build()


class EmbeddedEngine:
    """An `Engine` over tantivy indices in one data directory."""

    name = "embedded"

    def __init__(
        self, data_dir: Path, analyzer: ArabicAnalyzer, filterable: tuple[str, ...] = ()
    ) -> None:
        self.data_dir = Path(data_dir)
        self.analyzer = analyzer
        self.filterable = filterable  # what an index created here declares
        # Open indices by physical name, and the physical index each name asked for resolved to
        # last (so a handle on a generation an alias has left can be dropped: its files are
        # deleted by the reindex that moved the alias, and stay mapped while we hold it).
        self._handles: dict[str, _Handle] = {}
        self._targets: dict[str, str] = {}
        self._writers: dict[str, tantivy.IndexWriter] = {}
        self._tables_lock = threading.RLock()  # held only while the three tables change
        # One write at a time per process.  Reads take no engine lock: tantivy's readers are
        # safe to share, and a slow search must not hold up /health or the next search.  How
        # many searches run at once is the caller's choice (the API's lanes).
        self._write_lock = threading.RLock()

    # -- names ----------------------------------------------------------------------------------

    def _index_dir(self, name: str) -> Path:
        return self.data_dir / "indices" / check_name(name)

    def _alias_file(self, alias: str) -> Path:
        return self.data_dir / "aliases" / check_name(alias)

    def _resolve(self, name: str) -> str:
        """An alias resolves to its index; a plain index name to itself."""
        alias = self._alias_file(name)
        return alias.read_text().strip() if alias.is_file() else name

    def _open(self, name: str) -> _Handle:
        physical = self._resolve(name)
        with self._tables_lock:
            left = self._targets.get(name)
            self._targets[name] = physical
            if left is not None and left != physical:
                self._drop_if_unused(left)
            if physical not in self._handles:
                self._handles[physical] = self._load(name, physical)
            return self._handles[physical]

    def _load(self, name: str, physical: str) -> _Handle:
        path = self._index_dir(physical)
        if not (path / "meta.json").is_file():
            raise IndexNotFound(
                f"no embedded index {name!r} in {self.data_dir} (run `searcher index` first)"
            )
        declared = tuple(self._check_settings(path).get("filterable", ()))
        schema = _schema(declared)
        if writable(path):
            try:
                return _Handle(tantivy.Index(schema, str(path), reuse=True), schema, declared)
            except ValueError as error:
                if "lock" not in str(error).lower():
                    raise  # else: a lock file we may not write; read through a view instead
        view = ReadOnlyView(path)
        return _Handle(tantivy.Index(schema, str(view.path), reuse=True), schema, declared, view)

    def _drop_if_unused(self, physical: str) -> None:
        """Forget the handle of an index no other name resolves to (and none writes to).

        Asking for an index by its own name (writes do, after resolving an alias) does not keep
        it: if it is wanted again by that name, it is opened again, if it still exists.
        """
        if physical in self._writers:
            return
        if any(name != physical and target == physical for name, target in self._targets.items()):
            return
        self._targets.pop(physical, None)
        self._handles.pop(physical, None)

    def _searcher(self, name: str) -> tantivy.Searcher:
        """A searcher over the newest commit of `name` (an index or an alias)."""
        handle = self._open(name)
        if handle.view is not None:
            handle.view.sync()
        handle.index.reload()
        return handle.index.searcher()

    def _check_settings(self, path: Path) -> dict[str, Any]:
        """The index's saved settings, or an error when this run cannot read the index."""
        saved = json.loads((path / "searcher.json").read_text())
        if saved.get("schema_version") != SCHEMA_VERSION:
            raise SearcherError(
                f"index {path.name!r} was built by an older searcher (schema "
                f"{saved.get('schema_version')}, now {SCHEMA_VERSION}: filters, facets, the date "
                "sort and suggestions need fields it lacks); rebuild it with `searcher reindex`"
            )
        if saved.get("plurals", "") != self._plurals_digest():
            raise SearcherError(
                f"index {path.name!r} was built with another broken-plural table than this "
                "run's (SEARCHER_PLURALS); reindex, or use the same table"
            )
        built_with = sorted(saved["arabic_disable"])
        if built_with != sorted(self.analyzer.disabled):
            raise SearcherError(
                f"index {path.name!r} was built with Arabic rules {built_with} switched off "
                f"but this run switches off {sorted(self.analyzer.disabled)}; "
                "reindex, or use the same SEARCHER_ARABIC_DISABLE"
            )
        return saved

    def _plurals_digest(self) -> str:
        """Names the plural map the terms were built with ("" without one)."""
        if not self.analyzer.plural_stems:
            return ""
        items = sorted(self.analyzer.plural_stems.items())
        return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:16]

    # -- lifecycle ------------------------------------------------------------------------------

    @_writes
    def create_index(self, index: str, *, bulk_load: bool = False) -> None:
        # One local index: no replicas, and it commits per chunk however it was created.
        index = self._resolve(index)  # an alias already has its index
        path = self._index_dir(index)
        if (path / "meta.json").is_file():
            return
        settings = {
            "schema_version": SCHEMA_VERSION,
            "arabic_disable": sorted(self.analyzer.disabled),
            "plurals": self._plurals_digest(),
            "filterable": list(self.filterable),
        }
        schema = _schema(self.filterable)
        with _on_disk(self.data_dir):
            path.mkdir(parents=True, exist_ok=True)
            (path / "searcher.json").write_text(json.dumps(settings))
            created = tantivy.Index(schema, str(path), reuse=True)
        with self._tables_lock:
            self._handles[index] = _Handle(created, schema, self.filterable)

    def finish_bulk_load(self, index: str) -> None:
        self.refresh(index)

    @_writes
    def delete_index(self, index: str) -> None:
        self._release(index)
        path = self._index_dir(index)
        if path.is_dir():
            with _on_disk(self.data_dir):
                for child in path.iterdir():
                    child.unlink()
                path.rmdir()

    def exists(self, index: str) -> bool:
        return (self._index_dir(self._resolve(index)) / "meta.json").is_file()

    def indices(self, prefix: str) -> list[str]:
        check_name(prefix)
        root = self.data_dir / "indices"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.name.startswith(prefix))

    def alias_targets(self, alias: str) -> list[str]:
        path = self._alias_file(alias)
        return [path.read_text().strip()] if path.is_file() else []

    @_writes
    def point_alias(self, alias: str, index: str) -> list[str]:
        before = self.alias_targets(alias)
        squatter = not before and (self._index_dir(alias) / "meta.json").is_file()
        path = self._alias_file(alias)
        with _on_disk(self.data_dir):
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.parent / f".{path.name}.tmp"  # not with_suffix: alias names may hold dots
            tmp.write_text(index + "\n")
            os.replace(tmp, path)  # atomic: a reader sees the old target or the new, never neither
        if squatter:  # a plain index that had the alias's name, as Elasticsearch's remove_index
            self.delete_index(alias)
            return [alias]
        return before

    def _release(self, physical: str) -> None:
        """Finish and drop the writer (releasing its lock) and the open handle of one index."""
        with self._tables_lock:
            writer = self._writers.pop(physical, None)
            self._handles.pop(physical, None)
        if writer is not None:
            writer.wait_merging_threads()

    def _abandon(self, physical: str) -> None:
        """After a failed write: roll back what it added and release the writer's lock, so
        nothing of it stays pending for the next commit and another writer can start."""
        with self._tables_lock:
            writer = self._writers.pop(physical, None)
            self._handles.pop(physical, None)
        if writer is not None:
            with contextlib.suppress(ValueError):  # a writer that died cannot roll back
                writer.rollback()
            with contextlib.suppress(ValueError):
                writer.wait_merging_threads()  # consumes the writer: its lock file is released

    @_writes
    def close(self) -> None:
        for physical in list(self._writers):
            self._release(physical)

    # -- writing --------------------------------------------------------------------------------

    def _writer(self, physical: str) -> tantivy.IndexWriter:
        if physical not in self._writers:
            handle = self._open(physical)
            if handle.view is not None:
                raise _read_only(self.data_dir, f"index {physical!r} cannot be written")
            try:
                writer = handle.index.writer(WRITER_HEAP_BYTES, num_threads=1)
            except ValueError as error:
                if "lock" in str(error).lower():
                    raise IndexLocked(
                        f"embedded index {physical!r} is being written by another process; "
                        "wait for it to finish"
                    ) from error
                raise
            with self._tables_lock:
                self._writers[physical] = writer
        return self._writers[physical]

    def existing_ids(self, index: str, ids: Sequence[str]) -> set[str]:
        return self._existing_ids(self._resolve(index), list(ids)) if ids else set()

    def _existing_ids(self, physical: str, ids: list[str]) -> set[str]:
        searcher = self._searcher(physical)
        query = tantivy.Query.term_set_query(self._open(physical).schema, "id", ids)
        result = searcher.search(query, limit=len(ids), count=False)
        return {searcher.doc(address)["id"][0] for _, address in result.hits}

    @functools.cached_property
    def _words(self) -> DocumentWords:
        return DocumentWords(self.analyzer)

    def _document(self, doc: Document, declared: tuple[str, ...]) -> tantivy.Document:
        """The tantivy document; `NotKeyword` if a declared field holds an object (refused, as
        Elasticsearch refuses it for a keyword field)."""
        out = tantivy.Document()
        out.add_text("id", doc.id)
        for base in ("title", "body"):
            stemmed, exact = self.analyzer.term_lists(getattr(doc, base))
            out.add_text(_field(base), " ".join(stemmed))
            out.add_text(_field(f"{base}.exact"), " ".join(exact))
        extra = doc.model_extra or {}
        for name in ("tags", *declared):
            value = doc.tags if name == "tags" else extra.get(name)
            try:
                keywords = keyword_values(value)
            except NotKeyword as error:
                raise NotKeyword(f"field {name!r} is filterable, so a keyword: {error}") from None
            for keyword in keywords:
                out.add_text(_keyword_field(name), keyword)
        stamp = datesort.NO_DATE if doc.published_at is None else epoch_millis(doc.published_at)
        out.add_integer(datesort.DATE_FIELD, stamp)
        for value in self._words.values(doc):
            out.add_text(FORMS, value)
        out.add_bytes("source", orjson.dumps(doc.source()))
        return out

    def _encode(
        self, docs: Sequence[Document], declared: tuple[str, ...]
    ) -> list[tantivy.Document | str]:
        """Each document encoded, or the reason it is refused."""
        encoded: list[tantivy.Document | str] = []
        for doc in docs:
            try:
                encoded.append(self._document(doc, declared))
            except NotKeyword as error:
                encoded.append(str(error))
        return encoded

    @_writes
    def bulk(
        self, index: str, docs: Sequence[Document], *, existing: set[str] | None = None
    ) -> list[BulkItem]:
        physical = self._resolve(index)
        # Every document is encoded before any is written: one that cannot be fails the call
        # with nothing of it written (one the index refuses is a failed item, as on a cluster).
        encoded = self._encode(docs, self._open(physical).declared)
        writer = self._writer(physical)
        items = []
        try:
            # What is in the index now decides what to delete first (tantivy has no upsert);
            # what existed before the caller's request (`existing`, which a resumed reindex
            # knows better than the index does) decides what counts as replaced.
            present = self._existing_ids(physical, [doc.id for doc in docs]) if docs else set()
            landed = set(present if existing is None else existing)
            for doc, document in zip(docs, encoded, strict=True):
                if isinstance(document, str):
                    items.append(BulkItem(doc.id, ok=False, error=document))
                    continue
                if doc.id in present:
                    writer.delete_documents_by_term("id", doc.id)
                writer.add_document(document)
                present.add(doc.id)
                items.append(BulkItem(doc.id, ok=True, replaced=doc.id in landed))
                landed.add(doc.id)
            writer.commit()  # one atomic commit per chunk: a crash loses at most this chunk
        except BaseException as error:
            self._abandon(physical)  # all or nothing: the chunk's pending changes go too
            if isinstance(error, ValueError):
                raise self._write_failed(physical, error) from error
            raise
        return items

    def _write_failed(self, physical: str, error: Exception) -> SearcherError:
        """Tantivy reports any I/O failure as a dead writer; say what it most likely was."""
        path = self._index_dir(physical)
        free = shutil.disk_usage(path).free
        return SearcherError(
            f"writing the embedded index {physical!r} in {path} failed ({free / 1e6:,.0f} MB free "
            f"on that disk; full disk or a file size limit?): {error}. The index keeps its last "
            "commit; rerun once there is room"
        )

    @_writes
    def delete_document(self, index: str, doc_id: str) -> bool:
        physical = self._resolve(index)
        if not self._existing_ids(physical, [doc_id]):
            return False
        writer = self._writer(physical)
        try:
            writer.delete_documents_by_term("id", doc_id)
            writer.commit()
        except BaseException as error:
            self._abandon(physical)
            if isinstance(error, ValueError):
                raise self._write_failed(physical, error) from error
            raise
        return True

    @_writes
    def refresh(self, index: str) -> None:
        # Writes are committed chunk by chunk already; ending the write session here also
        # releases the writer's lock, so another process (or `searcher index`) can write next.
        self._release(self._resolve(index))
        self._searcher(index)

    def count(self, index: str) -> int:
        return self._searcher(index).num_docs

    def quick_count(self, index: str) -> int:
        return self.count(index)  # on this machine: no network to wait on

    def verify_index(self, index: str) -> None:
        """Refuse an index built with another schema or other Arabic rules."""
        self._check_settings(self._index_dir(self._resolve(index)))

    def lease(
        self,
        alias: str,
        *,
        seconds: float,
        take_over: bool = False,
        holder: Holder | None = None,
    ) -> Lease:
        """An exclusive lock file for reindexing `alias` (see `searcher.lease`).  `seconds`
        and `take_over` do not apply: the kernel frees the lock when its process ends."""
        check_name(alias)
        return FileLease.acquire(self.data_dir / "leases" / f"{alias}.lock", alias, holder)

    def declared_fields(self, index: str) -> tuple[str, ...]:
        return self._open(index).declared

    def dictionary_values(self, index: str) -> list[tuple[str, int]]:
        return self._searcher(index).terms_with_prefix(FORMS, "")

    def dictionary_version(self, index: str) -> tuple[str, int]:
        # Every commit rewrites meta.json (atomically), so its change time names the commit.
        physical = self._resolve(index)
        try:
            return physical, (self._index_dir(physical) / "meta.json").stat().st_mtime_ns
        except FileNotFoundError:
            raise IndexNotFound(f"no embedded index {index!r} in {self.data_dir}") from None

    # -- reading --------------------------------------------------------------------------------

    def _clause_query(self, clause: Clause, schema: tantivy.Schema) -> tantivy.Query:
        per_field = []
        for name, boost in clause.fields():
            field, terms = _field(name), clause.terms_for(name)
            if clause.kind == "phrase":
                query = tantivy.Query.phrase_query(schema, field, list(terms))
            elif len(terms) == 1:
                query = tantivy.Query.term_query(schema, field, terms[0], "freq")
            else:
                query = tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, tantivy.Query.term_query(schema, field, t, "freq"))
                        for t in terms
                    ]
                )
            per_field.append(tantivy.Query.boost_query(query, boost * clause.weight))
        return tantivy.Query.disjunction_max_query(per_field, tie_breaker=TIE_BREAKER)

    def _plan_query(self, plan: QueryPlan, handle: _Handle) -> tantivy.Query:
        # Every group required, or (a relaxed plan) any `minimum_groups` of them.
        occur = tantivy.Occur.Must if plan.minimum_groups is None else tantivy.Occur.Should
        schema = handle.schema
        parts = []
        for group in plan.groups:
            alternatives = [self._clause_query(c, schema) for c in group]
            if len(alternatives) == 1:
                parts.append((occur, alternatives[0]))
            else:
                either = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, q) for q in alternatives]
                )
                parts.append((occur, either))
        if plan.browses:  # no words: every document the filters let through, scored 0
            everything = tantivy.Query.const_score_query(tantivy.Query.all_query(), 0.0)
            parts.append((tantivy.Occur.Must, everything))
        parts += [(tantivy.Occur.MustNot, self._clause_query(c, schema)) for c in plan.excluded]
        parts += [(tantivy.Occur.Must, q) for q in self._filter_queries(plan.filters, handle)]
        return tantivy.Query.boolean_query(parts, minimum_number_should_match=plan.minimum_groups)

    def _filter_queries(self, filters: Filters, handle: _Handle) -> list[tantivy.Query]:
        """One non-scoring clause per filter (`searcher/filters.py`)."""
        schema = handle.schema
        queries = []
        if filters.tags and filters.tags_match == "all":
            queries += [tantivy.Query.term_query(schema, "tags", tag) for tag in filters.tags]
        elif filters.tags:
            queries.append(tantivy.Query.term_set_query(schema, "tags", list(filters.tags)))
        if filters.since is not None or filters.until is not None:
            queries.append(datesort.dated(schema, filters.since, filters.until))
        for name, values in filters.fields:
            field = _keyword_field(name)
            queries.append(tantivy.Query.term_set_query(schema, field, list(values)))
        return [tantivy.Query.const_score_query(q, 0.0) for q in queries]

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, names: Sequence[str]
    ) -> facet_counts.Counts:
        if not names:
            return {}
        spec = {
            name: {
                "terms": {
                    "field": _keyword_field(name),
                    "size": FACET_CANDIDATES,
                    "segment_size": FACET_CANDIDATES * 10,
                }
            }
            for name in names
        }
        found = searcher.aggregate(query, spec)
        return {
            name: facet_counts.top((b["key"], b["doc_count"]) for b in found[name]["buckets"])
            for name in names
        }

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
        started = time.perf_counter()
        handle = self._open(index)  # a missing index is an error, even for an empty query
        if plan.is_empty:
            return SearchResponse(total=0, took_ms=0.0, hits=[], facets={n: {} for n in facets})
        # The callers check first (to say so in their own words); never ignored here either.
        check_filters(plan.filters, handle.declared)
        facet_counts.check(facets, handle.declared)
        searcher = self._searcher(index)
        query = self._plan_query(plan, handle)
        offset = (page - 1) * size
        if sort == "date":
            page_hits, total = datesort.newest_first(
                searcher,
                handle.schema,
                query,
                offset,
                size,
                lambda address: searcher.doc(address)["id"][0],
            )
        else:
            result = searcher.search(query, limit=size, offset=offset, count=True)
            page_hits, total = result.hits, result.count or 0
        hits = []
        for score, address in page_hits:
            source = orjson.loads(searcher.doc(address)["source"][0])
            snippet = python_snippet(self.analyzer, source["title"], source["body"], plan)
            hits.append(
                Hit(
                    id=source["id"],
                    score=round(float(score), 4),
                    title=source["title"],
                    url=source.get("url"),
                    snippet_html=to_html(snippet),
                    snippet=snippet,
                )
            )
        counts = self._facets(searcher, query, facets)
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(total=total, took_ms=round(took, 2), hits=hits, facets=counts)

    def analyze(self, text: str, *, stemmed: bool = True) -> list[Token]:
        return self.analyzer.tokens(text, stemmed=stemmed)
