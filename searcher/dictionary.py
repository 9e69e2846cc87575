"""The word dictionary of an index: every word, how many documents hold it, and how to show it.

Suggestions (`suggest.py`) and typo tolerance (`typos.py`) both need it.  It is built from the
index itself, the same way on every engine: each document indexes, in a field of its own
(``forms``; ``searcher_forms`` on Elasticsearch/OpenSearch, left out of ``_source``), one value
per distinct word it holds, ``term<US>form``: the normalised term and the display form the word
first takes in that document (`arabic/display.py`).  The engine counts documents per value
(tantivy's term dictionary, a composite terms aggregation on the clusters), so:

- a term's document count is the sum of its values' counts (each document gives a term once);
- its display form is the form most documents give it (ties: the shorter, then the first).

A process keeps the `DICTIONARY_MAX_WORDS` most frequent terms in memory, with a table that
answers "the most frequent words starting with this prefix" in microseconds, and rebuilds it
when the index changes (the embedded engine: a new commit; a cluster: after
`DICTIONARY_MAX_AGE_SECONDS`, or at once after this process writes).  One thread rebuilds it;
meanwhile every request is answered from the previous one.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import threading
import time
import weakref
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Protocol

import regex

from searcher.arabic import ArabicAnalyzer
from searcher.arabic.display import DisplayForms
from searcher.errors import SearcherError
from searcher.limits import (
    DICTIONARY_MAX_WORDS,
    SUGGEST_MAX_SIZE,
    SUGGEST_MIN_PREFIX,
)
from searcher.models import Document

SEPARATOR = "\x1f"  # the ASCII unit separator: never part of a term or a form
# What the dictionary keeps: words of letters (no numbers, no Latin-Arabic mixtures of marks),
# of a length a reader types.
_WORD = regex.compile(r"\p{L}{2,40}")
# A word is also found under its stem without these leading clitics, so «مدر» completes
# «المدرسة» and «والمدرسة» as well as «مدرسة» (longest first).
CLITICS = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
# A prefix whose range holds more keys than this has its top words computed in advance; a
# narrower one is scanned per request (at most this many keys).
_SCAN = 256
_RUNS_CACHED = 200_000  # runs whose dictionary values are remembered (cleared when full)
_LAST = "\U0010ffff"  # sorts after any character: prefix + _LAST bounds the keys with the prefix


class DocumentWords:
    """The dictionary values each document indexes: ``term<US>form`` per distinct word, with the
    form the word first takes in the document (its title first).  On the indexing path, so each
    run of word characters is worked out once and remembered."""

    def __init__(self, analyzer: ArabicAnalyzer) -> None:
        self.analyzer = analyzer
        self.forms = DisplayForms(analyzer)
        self._runs: dict[str, tuple[tuple[str, str], ...]] = {}

    def values(self, doc: Document) -> list[str]:
        # Each distinct run once, in order of first appearance, the title's first (streamed: a
        # 20 MB body's millions of runs are never all held at once).
        every = chain(self.analyzer.runs(doc.title), self.analyzer.runs(doc.body))
        runs = list(dict.fromkeys(every))
        for run in [run for run in runs if run not in self._runs]:
            self._remember(run)
        # Backwards, so that a word's first occurrence is the one left in `found`.
        found: dict[str, str] = {}
        found.update(chain.from_iterable(map(self._runs.__getitem__, reversed(runs))))
        return list(found.values())

    def _remember(self, run: str) -> tuple[tuple[str, str], ...]:
        pairs = tuple(
            (term, f"{term}{SEPARATOR}{form}")
            for term, form in reversed(self.forms.of_run(run))
            if _WORD.fullmatch(term)
        )
        # Bounded as the analyzer's own word cache is; `values` reads a run it just remembered.
        if len(self._runs) >= _RUNS_CACHED:
            self._runs.clear()
        self._runs[run] = pairs
        return pairs


class DictionarySource(Protocol):
    """What an engine offers to build a dictionary from (see `Engine.dictionary_values`)."""

    def dictionary_values(self, index: str) -> Iterable[tuple[str, int]]: ...

    def dictionary_version(self, index: str) -> Hashable: ...


@dataclass(frozen=True)
class Word:
    term: str  # as indexed (normalised)
    form: str  # as shown
    documents: int


class Dictionary:
    """The words of one index, most frequent first, searchable by prefix."""

    def __init__(self, values: Iterable[tuple[str, int]], max_words: int = DICTIONARY_MAX_WORDS):
        counts: dict[str, int] = {}
        best: dict[str, tuple[int, str]] = {}  # term → (documents, form) of its commonest form
        for value, documents in values:
            term, _, form = value.partition(SEPARATOR)
            counts[term] = counts.get(term, 0) + documents
            held = best.get(term)
            if held is None or (documents, -len(form)) > (held[0], -len(held[1])):
                best[term] = (documents, form or term)
        ranked = sorted(counts, key=lambda t: (-counts[t], t))[:max_words]
        # Words are numbered by rank, so "most frequent" is "smallest number".
        self.words = [Word(t, best[t][1], counts[t]) for t in ranked]
        self._rank = {word.term: rank for rank, word in enumerate(self.words)}
        keyed = sorted(
            (key, rank) for rank, word in enumerate(self.words) for key in _keys(word.term)
        )
        self._keys = [key for key, _ in keyed]
        self._ranks = [rank for _, rank in keyed]
        self._top = self._precompute()

    def __len__(self) -> int:
        return len(self.words)

    def get(self, term: str) -> Word | None:
        rank = self._rank.get(term)
        return None if rank is None else self.words[rank]

    def documents(self, term: str) -> int:
        """How many documents hold `term` (0 if it is not a word of the index)."""
        word = self.get(term)
        return word.documents if word else 0

    def complete(self, prefix: str, size: int) -> list[Word]:
        """The `size` most frequent words starting with `prefix` (or with it after a clitic)."""
        if len(prefix) < SUGGEST_MIN_PREFIX:
            return []
        lo = bisect.bisect_left(self._keys, prefix)
        hi = bisect.bisect_left(self._keys, prefix + _LAST, lo)
        ranks = self._top[prefix] if hi - lo > _SCAN else sorted(set(self._ranks[lo:hi]))
        return [self.words[rank] for rank in ranks[:size]]

    def _precompute(self) -> dict[str, list[int]]:
        """The top ranks of every prefix wider than `_SCAN` keys, found depth by depth inside
        the ranges that were wide one letter earlier."""
        top: dict[str, list[int]] = {}
        wide = [(0, len(self._keys))]
        depth = SUGGEST_MIN_PREFIX
        while wide:
            narrower = []
            for lo, hi in wide:
                start = lo
                while start < hi:
                    key = self._keys[start]
                    if len(key) < depth:  # a shorter key sorts before those it is a prefix of
                        start += 1
                        continue
                    prefix = key[:depth]
                    end = bisect.bisect_left(self._keys, prefix + _LAST, start, hi)
                    if end - start > _SCAN:
                        unique = set(self._ranks[start:end])
                        top[prefix] = heapq.nsmallest(SUGGEST_MAX_SIZE, unique)
                        narrower.append((start, end))
                    start = end
            wide = narrower
            depth += 1
        return top


def _keys(term: str) -> set[str]:
    keys = {term}
    for clitic in CLITICS:
        if term.startswith(clitic) and len(term) - len(clitic) >= SUGGEST_MIN_PREFIX:
            keys.add(term[len(clitic) :])
    return keys


# -- one dictionary per (engine, index), rebuilt when the index changes --------------------------


@dataclass
class _Built:
    version: Hashable
    dictionary: Dictionary
    built_at: float


class _Cache:
    def __init__(self) -> None:
        self.built: dict[str, _Built] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.guard = threading.Lock()

    def lock(self, index: str) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(index, threading.Lock())


_CACHES: weakref.WeakKeyDictionary[DictionarySource, _Cache] = weakref.WeakKeyDictionary()
_CACHES_GUARD = threading.Lock()


def _cache(engine: DictionarySource) -> _Cache:
    with _CACHES_GUARD:
        return _CACHES.setdefault(engine, _Cache())


def current(engine: DictionarySource, index: str) -> Dictionary | None:
    """The dictionary of `index` without waiting: the current one, or, when the index changed,
    the previous one while a background thread rebuilds it; None before the first build (the
    caller then builds it with `of`)."""
    cache = _cache(engine)
    held = cache.built.get(index)
    if held is None:
        return None
    if held.version != engine.dictionary_version(index) and not cache.lock(index).locked():
        threading.Thread(target=_rebuild, args=(engine, index), daemon=True).start()
    return held.dictionary


def _rebuild(engine: DictionarySource, index: str) -> None:
    with contextlib.suppress(SearcherError):  # the engine is down: the next request tries again
        of(engine, index)


def of(engine: DictionarySource, index: str) -> Dictionary:
    """The dictionary of `index` on `engine`, current (or, while another thread rebuilds it,
    the previous one); built here if need be, which reads the index's whole dictionary."""
    cache = _cache(engine)
    version = engine.dictionary_version(index)
    held = cache.built.get(index)
    if held is not None and held.version == version:
        return held.dictionary
    lock = cache.lock(index)
    if held is not None and not lock.acquire(blocking=False):
        return held.dictionary  # someone is rebuilding it: the previous one will do meanwhile
    if held is None:
        lock.acquire()
    try:
        held = cache.built.get(index)
        if held is None or held.version != version:
            held = _Built(version, Dictionary(engine.dictionary_values(index)), time.monotonic())
            cache.built[index] = held
        return held.dictionary
    finally:
        lock.release()
