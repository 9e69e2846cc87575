"""When the query as typed finds nothing (or next to nothing): close spellings, then fewer words.

One word in the wrong form (a typo, a clitic, a plural the index does not know) turns a good
query into zero hits, because every word is required.  Then, in this order:

1. **close spellings** (`typos.py`): each word that finds nothing even on its own is searched
   together with the spellings the index knows that are one typo away (down-weighted); the
   response says `corrected: true` and names the best spelling in `did_you_mean`.  A query that
   finds only a few documents keeps them, and gets a `did_you_mean` when the best spellings
   find many times more;
2. **most words**, as Meilisearch's matching strategies do: each word is left out in turn (one
   count per word); the query without the word whose absence finds the most documents is run,
   and that word is reported as dropped;
3. **any word**: with two or more words missing, a document needs only one of them; BM25 adds
   the scores of the words it holds, so documents with more of them rank first.  The words that
   no document holds are reported as dropped.

Steps 2 and 3 relax the query as typed, as before step 1 existed; only when that finds nothing
either do they relax it with its close spellings (`corrected` then says so, with no single
spelling to name).  A strict result is never hidden: nothing is corrected or relaxed while the
query as typed finds anything.  The steps are plans (`query.py`) every engine runs the same
way, so all three recover alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from searcher import dictionary, typos
from searcher.engines.base import Engine
from searcher.limits import DID_YOU_MEAN_AT_MOST, DID_YOU_MEAN_RATIO, RELAX_MAX_WORDS
from searcher.models import SearchResponse
from searcher.query import QueryPlan, group_text
from searcher.sorting import SortOrder


def search(
    engine: Engine,
    index: str,
    plan: QueryPlan,
    *,
    page: int = 1,
    size: int = 10,
    sort: SortOrder = "relevance",
    facets: Sequence[str] = (),
) -> SearchResponse:
    """`engine.search`, corrected and relaxed as above when the query as typed finds nothing."""

    def run(attempt: QueryPlan) -> SearchResponse:
        return engine.search(index, attempt, page=page, size=size, sort=sort, facets=facets)

    strict = run(plan)
    if strict.total > DID_YOU_MEAN_AT_MOST or not plan.groups:
        return strict
    words = dictionary.of(engine, index)
    if strict.total:
        correction = typos.correct(plan, words, engine.analyzer)
        return _with_did_you_mean(engine, index, strict, correction)
    alone = _alone(engine, index, plan)
    unknown = [i for i, found in enumerate(alone) if found == 0]
    correction = typos.correct(plan, words, engine.analyzer, unknown) if unknown else None
    if correction is not None:
        tolerant = run(correction.tolerant)
        if tolerant.total:
            return tolerant.model_copy(update={"corrected": True, "did_you_mean": correction.text})
    relaxed = _relax(engine, index, plan, plan, strict, run, alone)
    if relaxed.total or correction is None:
        return relaxed
    # Fewer words as typed found nothing either: fewer words, with their close spellings.
    relaxed = _relax(engine, index, plan, correction.tolerant, strict, run, alone)
    return relaxed.model_copy(update={"corrected": relaxed.relaxed})


def _with_did_you_mean(
    engine: Engine, index: str, strict: SearchResponse, correction: typos.Correction | None
) -> SearchResponse:
    """The results as they are, and the close spelling if it finds many times more."""
    if correction is not None:
        found = _count(engine, index, correction.best)
        if found > strict.total and found >= DID_YOU_MEAN_RATIO * strict.total:
            return strict.model_copy(update={"did_you_mean": correction.text})
    return strict


def _alone(engine: Engine, index: str, plan: QueryPlan) -> list[int | None]:
    """What each word finds on its own (None: not counted, the query is too long for that)."""
    words = len(plan.groups)
    if words == 1:
        return [0]  # the query itself, which found nothing
    if words > RELAX_MAX_WORDS:
        return [None] * words
    return [_count(engine, index, plan.only(i)) for i in range(words)]


def _relax(
    engine: Engine,
    index: str,
    typed: QueryPlan,
    plan: QueryPlan,
    strict: SearchResponse,
    run: Callable[[QueryPlan], SearchResponse],
    alone: list[int | None],
) -> SearchResponse:
    """Steps 2 and 3 on `plan` (the query as typed, or with its close spellings); dropped words
    are named as `typed` has them; `alone` is what each typed word finds on its own."""
    words = len(plan.groups)
    if words < 2:
        return strict
    if words <= RELAX_MAX_WORDS:
        counts = [_count(engine, index, plan.without(i)) for i in range(words)]
        best = max(range(words), key=lambda i: (counts[i], -i))  # ties: the earlier word
        if counts[best]:
            return _relaxed(run(plan.without(best)), [group_text(typed.groups[best])])
    response = run(plan.any_group())
    if not response.total:
        return strict
    unmatched = [group_text(g) for g, found in zip(typed.groups, alone, strict=True) if found == 0]
    return _relaxed(response, unmatched)


def _count(engine: Engine, index: str, plan: QueryPlan) -> int:
    return engine.search(index, plan, page=1, size=1).total


def _relaxed(response: SearchResponse, dropped: list[str]) -> SearchResponse:
    return response.model_copy(update={"relaxed": True, "dropped": dropped})
