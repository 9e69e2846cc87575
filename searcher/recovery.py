"""Zero-result recovery: when every word together finds nothing, show what the words nearly find.

One word in the wrong form (a typo, a clitic, a plural the index does not know) turns a good
query into zero hits, because every word is required.  Then, as Meilisearch's matching
strategies do, the query is relaxed step by step and the response says so:

1. **most words**: each word is left out in turn (one count per word); the query without the word
   whose absence finds the most documents is run, and that word is reported as dropped;
2. **any word**: with two or more words missing, a document needs only one of them; BM25 adds
   the scores of the words it holds, so documents with more of them rank first.  The words that
   no document holds are reported as dropped.

A strict result is never hidden: nothing is relaxed while the query as typed finds anything.
The steps are plans (`query.py`) every engine runs the same way, so all three relax alike.
"""

from __future__ import annotations

from searcher.engines.base import Engine
from searcher.limits import RELAX_MAX_WORDS
from searcher.models import SearchResponse
from searcher.query import QueryPlan, group_text


def search(
    engine: Engine, index: str, plan: QueryPlan, *, page: int = 1, size: int = 10
) -> SearchResponse:
    """`engine.search`, relaxed as above when the query as typed finds nothing."""
    strict = engine.search(index, plan, page=page, size=size)
    words = len(plan.groups)
    if strict.total or words < 2:
        return strict
    if words <= RELAX_MAX_WORDS:
        counts = [_count(engine, index, plan.without(i)) for i in range(words)]
        best = max(range(words), key=lambda i: (counts[i], -i))  # ties: the earlier word
        if counts[best]:
            response = engine.search(index, plan.without(best), page=page, size=size)
            return _relaxed(response, [group_text(plan.groups[best])])
    response = engine.search(index, plan.any_group(), page=page, size=size)
    if not response.total:
        return strict
    unmatched = []
    if words <= RELAX_MAX_WORDS:
        unmatched = [
            group_text(group)
            for i, group in enumerate(plan.groups)
            if not _count(engine, index, plan.only(i))
        ]
    return _relaxed(response, unmatched)


def _count(engine: Engine, index: str, plan: QueryPlan) -> int:
    return engine.search(index, plan, page=1, size=1).total


def _relaxed(response: SearchResponse, dropped: list[str]) -> SearchResponse:
    return response.model_copy(update={"relaxed": True, "dropped": dropped})
