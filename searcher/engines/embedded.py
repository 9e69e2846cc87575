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

On disk (``<data_dir>/``)::

    indices/<name>/          one tantivy index + searcher.json (its analysis settings)
    aliases/<alias>          a one-line file naming the index the alias points at
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson
import tantivy

from searcher.arabic import ArabicAnalyzer, Token
from searcher.engines.base import BulkItem, id_error
from searcher.errors import IndexLocked, IndexNotFound, SearcherError
from searcher.models import Document, Hit, SearchResponse
from searcher.query import TIE_BREAKER, Clause, QueryPlan
from searcher.snippets import python_snippet, to_html

T = TypeVar("T")
TEXT_FIELDS = ("title", "body", "title.exact", "body.exact")
SCHEMA_VERSION = 2  # 2: fields hold analysed terms for the whitespace tokenizer
WRITER_HEAP_BYTES = 128 * 1024 * 1024


def _field(name: str) -> str:
    """Tantivy field names cannot hold a dot: ``title.exact`` → ``title_exact``."""
    return name.replace(".", "_")


def _serialised(method: Callable[..., T]) -> Callable[..., T]:
    """Run the method under the engine's lock (see `EmbeddedEngine.__init__`)."""

    @functools.wraps(method)
    def locked(self: EmbeddedEngine, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(
            _field(name), stored=False, tokenizer_name="whitespace", index_option="position"
        )
    builder.add_bytes_field("source", stored=True, indexed=False)
    return builder.build()


class EmbeddedEngine:
    """An `Engine` over tantivy indices in one data directory."""

    name = "embedded"

    def __init__(self, data_dir: Path, analyzer: ArabicAnalyzer) -> None:
        self.data_dir = Path(data_dir)
        self.analyzer = analyzer
        self.schema = _schema()
        self._indices: dict[str, tantivy.Index] = {}
        self._writers: dict[str, tantivy.IndexWriter] = {}
        # One engine call at a time per process.  Tantivy drops the GIL inside its calls and the
        # snippet code needs it back: under 40 API threads they convoy and throughput fell from
        # 170 to 40 searches/s; queued behind a lock it stays at ~165.  Scale out with processes
        # (`searcher serve --workers N`): readers in several processes are safe.
        self._lock = threading.RLock()

    # -- names ----------------------------------------------------------------------------------

    def _index_dir(self, name: str) -> Path:
        return self.data_dir / "indices" / name

    def _alias_file(self, alias: str) -> Path:
        return self.data_dir / "aliases" / alias

    def _resolve(self, name: str) -> str:
        """An alias resolves to its index; a plain index name to itself."""
        alias = self._alias_file(name)
        return alias.read_text().strip() if alias.is_file() else name

    def _open(self, name: str) -> tantivy.Index:
        physical = self._resolve(name)
        if physical not in self._indices:
            path = self._index_dir(physical)
            if not (path / "meta.json").is_file():
                raise IndexNotFound(
                    f"no embedded index {name!r} in {self.data_dir} (run `searcher index` first)"
                )
            self._check_settings(path)
            self._indices[physical] = tantivy.Index(self.schema, str(path), reuse=True)
        return self._indices[physical]

    def _check_settings(self, path: Path) -> None:
        saved = json.loads((path / "searcher.json").read_text())
        if saved.get("schema_version") != SCHEMA_VERSION:
            raise SearcherError(
                f"index {path.name!r} was built by an older searcher (schema "
                f"{saved.get('schema_version')}, now {SCHEMA_VERSION}); rebuild it with "
                "`searcher reindex`"
            )
        built_with = sorted(saved["arabic_disable"])
        if built_with != sorted(self.analyzer.disabled):
            raise SearcherError(
                f"index {path.name!r} was built with Arabic rules {built_with} switched off "
                f"but this run switches off {sorted(self.analyzer.disabled)}; "
                "reindex, or use the same SEARCHER_ARABIC_DISABLE"
            )

    # -- lifecycle ------------------------------------------------------------------------------

    @_serialised
    def create_index(self, index: str) -> None:
        index = self._resolve(index)  # an alias already has its index
        path = self._index_dir(index)
        if (path / "meta.json").is_file():
            return
        path.mkdir(parents=True, exist_ok=True)
        settings = {
            "schema_version": SCHEMA_VERSION,
            "arabic_disable": sorted(self.analyzer.disabled),
        }
        (path / "searcher.json").write_text(json.dumps(settings))
        self._indices[index] = tantivy.Index(self.schema, str(path), reuse=True)

    @_serialised
    def delete_index(self, index: str) -> None:
        self._release(index)
        path = self._index_dir(index)
        if path.is_dir():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()

    def exists(self, index: str) -> bool:
        return (self._index_dir(self._resolve(index)) / "meta.json").is_file()

    def indices(self, prefix: str) -> list[str]:
        root = self.data_dir / "indices"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if p.name.startswith(prefix))

    def alias_targets(self, alias: str) -> list[str]:
        path = self._alias_file(alias)
        return [path.read_text().strip()] if path.is_file() else []

    @_serialised
    def point_alias(self, alias: str, index: str) -> list[str]:
        before = self.alias_targets(alias)
        squatter = not before and (self._index_dir(alias) / "meta.json").is_file()
        path = self._alias_file(alias)
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
        writer = self._writers.pop(physical, None)
        if writer is not None:
            writer.wait_merging_threads()
        self._indices.pop(physical, None)

    @_serialised
    def close(self) -> None:
        for physical in list(self._writers):
            self._release(physical)

    # -- writing --------------------------------------------------------------------------------

    def _writer(self, physical: str) -> tantivy.IndexWriter:
        if physical not in self._writers:
            index = self._open(physical)
            try:
                self._writers[physical] = index.writer(WRITER_HEAP_BYTES, num_threads=1)
            except ValueError as error:
                if "lock" in str(error).lower():
                    raise IndexLocked(
                        f"embedded index {physical!r} is being written by another process; "
                        "wait for it to finish"
                    ) from error
                raise
        return self._writers[physical]

    def _existing_ids(self, physical: str, ids: list[str]) -> set[str]:
        index = self._open(physical)
        index.reload()
        searcher = index.searcher()
        query = tantivy.Query.term_set_query(self.schema, "id", ids)
        result = searcher.search(query, limit=len(ids), count=False)
        return {searcher.doc(address)["id"][0] for _, address in result.hits}

    def _document(self, doc: Document) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("id", doc.id)
        for base in ("title", "body"):
            stemmed, exact = self.analyzer.term_lists(getattr(doc, base))
            out.add_text(_field(base), " ".join(stemmed))
            out.add_text(_field(f"{base}.exact"), " ".join(exact))
        out.add_bytes("source", orjson.dumps(doc.source()))
        return out

    @_serialised
    def bulk(self, index: str, docs: Sequence[Document]) -> list[BulkItem]:
        physical = self._resolve(index)
        writer = self._writer(physical)
        seen = self._existing_ids(physical, [doc.id for doc in docs]) if docs else set()
        items = []
        try:
            for doc in docs:
                error = id_error(doc.id)  # tantivy would index it, but never find it again
                if error:
                    items.append(BulkItem(doc.id, ok=False, error=error))
                    continue
                replaced = doc.id in seen
                if replaced:
                    writer.delete_documents_by_term("id", doc.id)
                writer.add_document(self._document(doc))
                seen.add(doc.id)
                items.append(BulkItem(doc.id, ok=True, replaced=replaced))
            writer.commit()  # one atomic commit per chunk: a crash loses at most this chunk
        except ValueError as error:
            raise self._write_failed(physical, error) from error
        return items

    def _write_failed(self, physical: str, error: Exception) -> SearcherError:
        """Tantivy reports any I/O failure as a dead writer; say what it most likely was."""
        self._writers.pop(physical, None)  # a writer that failed once is unusable
        self._indices.pop(physical, None)
        path = self._index_dir(physical)
        free = shutil.disk_usage(path).free
        return SearcherError(
            f"writing the embedded index {physical!r} in {path} failed ({free / 1e6:,.0f} MB free "
            f"on that disk; full disk or a file size limit?): {error}. The index keeps its last "
            "commit; rerun once there is room"
        )

    @_serialised
    def delete_document(self, index: str, doc_id: str) -> bool:
        physical = self._resolve(index)
        if not self._existing_ids(physical, [doc_id]):
            return False
        writer = self._writer(physical)
        writer.delete_documents_by_term("id", doc_id)
        writer.commit()
        return True

    @_serialised
    def prefix_sources(self, index: str, pattern: str, size: int) -> list[dict]:
        tindex = self._open(index)
        tindex.reload()
        searcher = tindex.searcher()
        query = tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.regex_query(self.schema, _field(name), pattern),
                )
                for name in ("title.exact", "body.exact")
            ]
        )
        hits = searcher.search(query, limit=size, count=False).hits
        return [orjson.loads(searcher.doc(address)["source"][0]) for _, address in hits]

    @_serialised
    def refresh(self, index: str) -> None:
        # Writes are committed chunk by chunk already; ending the write session here also
        # releases the writer's lock, so another process (or `searcher index`) can write next.
        self._release(self._resolve(index))
        self._open(index).reload()

    @_serialised
    def count(self, index: str) -> int:
        tindex = self._open(index)
        tindex.reload()
        return tindex.searcher().num_docs

    # -- reading --------------------------------------------------------------------------------

    def _clause_query(self, clause: Clause) -> tantivy.Query:
        per_field = []
        for name, boost in clause.fields():
            field, terms = _field(name), clause.terms_for(name)
            if clause.kind == "phrase":
                query = tantivy.Query.phrase_query(self.schema, field, list(terms))
            elif len(terms) == 1:
                query = tantivy.Query.term_query(self.schema, field, terms[0], "freq")
            else:
                query = tantivy.Query.boolean_query(
                    [
                        (
                            tantivy.Occur.Must,
                            tantivy.Query.term_query(self.schema, field, t, "freq"),
                        )
                        for t in terms
                    ]
                )
            per_field.append(tantivy.Query.boost_query(query, boost))
        return tantivy.Query.disjunction_max_query(per_field, tie_breaker=TIE_BREAKER)

    def _plan_query(self, plan: QueryPlan) -> tantivy.Query:
        parts = []
        for group in plan.groups:
            alternatives = [self._clause_query(c) for c in group]
            if len(alternatives) == 1:
                parts.append((tantivy.Occur.Must, alternatives[0]))
            else:
                either = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, q) for q in alternatives]
                )
                parts.append((tantivy.Occur.Must, either))
        parts += [(tantivy.Occur.MustNot, self._clause_query(c)) for c in plan.excluded]
        return tantivy.Query.boolean_query(parts)

    @_serialised
    def search(
        self, index: str, plan: QueryPlan, *, page: int = 1, size: int = 10
    ) -> SearchResponse:
        started = time.perf_counter()
        tindex = self._open(index)
        if plan.is_empty:
            return SearchResponse(total=0, took_ms=0.0, hits=[])
        tindex.reload()
        searcher = tindex.searcher()
        result = searcher.search(
            self._plan_query(plan), limit=size, offset=(page - 1) * size, count=True
        )
        hits = []
        for score, address in result.hits:
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
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(total=result.count or 0, took_ms=round(took, 2), hits=hits)

    def analyze(self, text: str, *, stemmed: bool = True) -> list[Token]:
        return self.analyzer.tokens(text, stemmed=stemmed)
