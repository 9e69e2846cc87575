"""Vocalised queries: a reader who types diacritics means them (عَلِمَ is not عِلْم).

The index folds diacritics away, so «عِلْم» finds عَلِمَ, عِلۡمٍ and عَلَّمَ alike.  When the query
carries diacritics, the first `RERANK_WINDOW` results are re-ordered so that documents whose
vocalisation agrees with it come first: a document agrees on a query word when a word the engine
marked in its snippet carries every mark the reader typed, on the same letters (marks the reader
left out are free: «عِلم» agrees with عِلۡمٍ).  The order is otherwise kept, so the window holds
the same documents and paging has no duplicates or gaps.  A query without diacritics, or a text
without them, is returned exactly as the engine ranked it.

It works on what every engine returns (the marked spans of the original text), so the three
engines re-rank alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from searcher import recovery
from searcher.arabic import ArabicAnalyzer
from searcher.engines.base import Engine
from searcher.limits import RERANK_WINDOW
from searcher.models import Hit, SearchResponse
from searcher.query import QueryPlan
from searcher.sorting import SortOrder

# The marks a reader types: short vowels, tanwin, shadda (sukun is left out: readers and the
# Quranic text write it differently, ْ and ۡ, and it says only that no vowel is there).
_TYPED_MARKS = frozenset("\u064b\u064c\u064d\u064e\u064f\u0650\u0651")

Vocalisation = tuple[tuple[str, frozenset[str]], ...]


def search(
    engine: Engine,
    index: str,
    plan: QueryPlan,
    analyzer: ArabicAnalyzer,
    *,
    page: int = 1,
    size: int = 10,
    sort: SortOrder = "relevance",
    facets: Sequence[str] = (),
) -> SearchResponse:
    """`recovery.search`, with documents agreeing with a vocalised query first (by relevance;
    newest first is an order of its own)."""
    wanted = [v for v in (vocalisation(word, analyzer) for word in _words(plan)) if _marked(v)]
    end = page * size
    if not wanted or end > RERANK_WINDOW or sort != "relevance":
        return recovery.search(engine, index, plan, page=page, size=size, sort=sort, facets=facets)
    window = recovery.search(engine, index, plan, page=1, size=RERANK_WINDOW, facets=facets)
    ranked = sorted(window.hits, key=lambda hit: -_agreement(hit, wanted, analyzer))
    return window.model_copy(update={"hits": ranked[end - size : end]})


def vocalisation(word: str, analyzer: ArabicAnalyzer) -> Vocalisation:
    """Each letter of `word` (normalised) with the typed marks on it."""
    letters: list[tuple[str, set[str]]] = []
    for ch in word:
        if ch == "\u0670":  # the superscript alef is a letter that is written small: عَٰلِم
            letters.append(("\u0627", set()))
            continue
        if unicodedata.category(ch) == "Mn":
            if letters and ch in _TYPED_MARKS:
                letters[-1][1].add(ch)
            continue
        folded = analyzer.normalise(ch)
        if folded:
            letters.append((folded, set()))
    return tuple((letter, frozenset(marks)) for letter, marks in letters)


def agrees(query: Vocalisation, text: Vocalisation) -> bool:
    """Whether the query's letters occur in the text's word carrying at least its marks."""
    size = len(query)
    for start in range(len(text) - size + 1):
        window = text[start : start + size]
        if all(q[0] == t[0] for q, t in zip(query, window, strict=True)):
            return all(q[1] <= t[1] for q, t in zip(query, window, strict=True))
    return False


def _words(plan: QueryPlan) -> list[str]:
    return [word for group in plan.groups for clause in group for word in clause.text.split()]


def _marked(word: Vocalisation) -> bool:
    return any(marks for _, marks in word)


def _agreement(hit: Hit, wanted: list[Vocalisation], analyzer: ArabicAnalyzer) -> int:
    """How many vocalised query words some marked word of the hit's snippet agrees with."""
    marked = [vocalisation(hit.snippet.text[s:e], analyzer) for s, e in hit.snippet.marks]
    return sum(any(agrees(word, text) for text in marked) for word in wanted)
