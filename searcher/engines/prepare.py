"""What the embedded engine hands tantivy for each document, prepared on every core.

A row is one document as tantivy indexes it (`tantivy.Document.from_dict` reads it): its id, the
Arabic analysis of its title and body (terms joined for tantivy's whitespace tokenizer), its
keyword fields (``tags`` and the index's declared ones), its date, its word-dictionary values
(`searcher/dictionary.py`) and its stored source.  Preparing rows is the CPU-bound part of
indexing, and Python runs it on one core, so `Preparer` cuts a chunk into pieces of
`PIECE_DOCS` and hands some of them to worker processes while the caller prepares the others and
feeds tantivy's writer threads, in order.

A chunk of one piece (an API write, a small file) never starts a pool, and `workers=0` means
"all in this process".  Workers are spawned (a fresh interpreter each), so a script that indexes
through the embedded engine must guard its entry point with ``if __name__ == "__main__":``, as
`multiprocessing` asks.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from searcher.arabic import ArabicAnalyzer
from searcher.dictionary import DocumentWords
from searcher.engines import datesort
from searcher.filters import NotKeyword, epoch_millis, keyword_values
from searcher.models import Document

if TYPE_CHECKING:  # the pool's modules load only when a pool starts (a search needs none)
    from concurrent.futures import Future, ProcessPoolExecutor

# A document's tantivy fields by name (the fields of `embedded._schema`), or, for a document the
# index refuses (a declared keyword field holding an object), the reason, as a cluster gives it.
Row = dict[str, Any] | str
FORMS = "forms"  # the word dictionary's field: `term<US>form` per distinct word of a document
# Documents per piece: a worker's unit of work, big enough that shipping it to a process and
# its rows back (pickles of short strings) costs little next to analysing it.
PIECE_DOCS = 500


def keyword_field(name: str) -> str:
    """The tantivy field of a keyword field: ``tags``, or ``kw_<name>`` for a declared one (the
    prefix keeps a declared name from ever meeting one of ours)."""
    return name if name == "tags" else f"kw_{name}"


def rows(words: DocumentWords, docs: Sequence[Document], declared: tuple[str, ...]) -> list[Row]:
    """Every document of `docs` as tantivy indexes it (or why the index refuses it).  Raises if
    one cannot be encoded at all."""
    return [_row(words, doc, declared) for doc in docs]


def _row(words: DocumentWords, doc: Document, declared: tuple[str, ...]) -> Row:
    analyzer = words.analyzer
    title, body = analyzer.joined_terms(doc.title), analyzer.joined_terms(doc.body)
    row: dict[str, Any] = {
        "id": doc.id,
        "title": title[0],
        "title_exact": title[1],
        "body": body[0],
        "body_exact": body[1],
    }
    extra = doc.model_extra or {}
    for name in ("tags", *declared):
        value = doc.tags if name == "tags" else extra.get(name)
        try:
            row[keyword_field(name)] = keyword_values(value)
        except NotKeyword as error:
            return f"field {name!r} is filterable, so a keyword: {error}"
    published = doc.published_at
    row[datesort.DATE_FIELD] = datesort.NO_DATE if published is None else epoch_millis(published)
    row[FORMS] = words.values(doc)
    row["source"] = orjson.dumps(doc.source())
    return row


def available_cores() -> int:
    """The cores this process may run on (a `taskset` or a container limit counts)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """One worker per core but two: the caller's (which validates, writes and prepares its
    share) and one for tantivy's indexing and merge threads.  On 2 cores that is none: a worker
    there made a 10k-document `searcher index` 1.3-1.6x slower (it competes with the merges,
    and starts with a cold word cache); `--workers 1` still asks for one."""
    return max(0, available_cores() - 2)


_words: DocumentWords | None = None  # a worker process's own analyzer and dictionary runs


def _start_worker(analyzer: ArabicAnalyzer) -> None:
    global _words
    _words = DocumentWords(analyzer)


def _worker_rows(docs: Sequence[Document], declared: tuple[str, ...]) -> list[Row]:
    assert _words is not None, "the pool's initializer sets the analyzer"
    return rows(_words, docs, declared)


class Preparer:
    """Rows for a chunk, prepared here and in up to `workers` processes (started on the first
    chunk that needs them and kept until `close`: spawning costs an interpreter and an analyzer).
    """

    def __init__(self, analyzer: ArabicAnalyzer, workers: int) -> None:
        self.analyzer = analyzer
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None

    @functools.cached_property
    def words(self) -> DocumentWords:
        """This process's share, and its cache of runs: built on the first write (it compiles
        an analyzer of its own, which a process that only searches never needs)."""
        return DocumentWords(self.analyzer)

    def pieces(
        self, docs: Sequence[Document], declared: tuple[str, ...]
    ) -> Iterator[tuple[Sequence[Document], list[Row]]]:
        """(piece, its rows) for each piece of `docs`, in order, for an index declaring the
        keyword fields `declared`.  Of every `workers + 1` pieces one is prepared here, when its
        turn comes, while the workers prepare the others."""
        parts = [docs[start : start + PIECE_DOCS] for start in range(0, len(docs), PIECE_DOCS)]
        share = self.workers + 1
        if len(parts) < 2 or not self.workers:
            share = 1  # nothing to spread
        pending: list[Future[list[Row]] | None] = [
            None if number % share == 0 else self._submit(part, declared)
            for number, part in enumerate(parts)
        ]
        try:
            for part, future in zip(parts, pending, strict=True):
                yield part, rows(self.words, part, declared) if future is None else future.result()
        finally:
            for future in pending:
                if future is not None:
                    future.cancel()  # the chunk failed: its queued pieces are not needed

    def _submit(self, part: Sequence[Document], declared: tuple[str, ...]) -> Future[list[Row]]:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # Spawned, never forked: a forked worker would inherit this process's open files,
            # the index's write lock among them, and hold it after this process is killed.
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.analyzer,),
            )
        return self._pool.submit(_worker_rows, part, declared)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
