"""Newest first on tantivy: by date, ties by relevance, then by id, as Elasticsearch sorts
``[{published_at: desc, missing: _last}, _score, id]``.

Tantivy sorts by one fast field (``order_by_field``) and then by nothing in particular.  A page
``[offset, end)`` is found in three searches, whatever its depth:

1. the top `end` documents by date alone: the date `last` of the `end`-th is the oldest on or
   before the page, and every document dated after `last` is among them (`above` of them);
2. those `above` documents, scored (the query restricted to dates after `last`);
3. the best `end - above` documents dated `last`, scored, widened while the score at the cut
   ties with the next one (so the id can decide).

Sorting the two scored sets by (date, score, id) gives the first `end` documents exactly; the
page is their tail.  Documents without a date carry `NO_DATE`, the smallest value, so they come
last and tie with each other, ranked by relevance, as Elasticsearch's ``missing: _last``.
A filter (the date range) is a clause scoring 0, so restricting by date never changes a score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import tantivy

NO_DATE = -(2**63)  # what a document without `published_at` stores: older than any date
DATE_FIELD = "published"

Scored = tuple[float, tantivy.DocAddress]


def dated(schema: tantivy.Schema, low: int | None, high: int | None) -> tantivy.Query:
    """Documents dated from `low` to `high` (inclusive; None: unbounded), never undated ones
    unless `low` is `NO_DATE` itself."""
    lower = NO_DATE + 1 if low is None else low
    query = tantivy.Query.range_query(schema, DATE_FIELD, tantivy.FieldType.Integer, lower, high)
    return tantivy.Query.const_score_query(query, 0.0)


def newest_first(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: tantivy.Query,
    offset: int,
    size: int,
    doc_id: Callable[[tantivy.DocAddress], str],
) -> tuple[list[Scored], int]:
    """(score, address) of the page's documents in date order, and the total."""
    end = offset + size
    by_date = searcher.search(query, limit=end, count=True, order_by_field=DATE_FIELD)
    total = by_date.count or 0
    dates = [date for date, _ in by_date.hits]
    if len(dates) <= offset:
        return [], total
    last = dates[-1]
    above = sum(date > last for date in dates)
    candidates: list[Scored] = []
    if above:
        after = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, dated(schema, last + 1, None))]
        )
        candidates += searcher.search(after, limit=above, count=False).hits
    on_last = tantivy.Query.boolean_query(
        [(tantivy.Occur.Must, query), (tantivy.Occur.Must, dated(schema, last, last))]
    )
    candidates += _best(searcher, on_last, end - above)
    addresses = [address for _, address in candidates]
    stamps = searcher.fast_field_values(DATE_FIELD, addresses)
    keys = [(-stamp, -score) for stamp, (score, _) in zip(stamps, candidates, strict=True)]
    tied = {key for key, n in Counter(keys).items() if n > 1}
    ids = {i: doc_id(candidates[i][1]) for i, key in enumerate(keys) if key in tied}
    order = sorted(range(len(candidates)), key=lambda i: (keys[i], ids.get(i, "")))
    return [candidates[i] for i in order[offset:end]], total


def _best(searcher: tantivy.Searcher, query: tantivy.Query, wanted: int) -> list[Scored]:
    """The `wanted` best-scored documents, and every one tying with the last of them."""
    limit = wanted
    while True:
        hits = searcher.search(query, limit=limit + 1, count=False).hits
        if len(hits) <= limit:  # every document there is
            return hits
        cut = hits[wanted - 1][0]
        if hits[limit][0] != cut:
            return [hit for hit in hits if hit[0] >= cut]
        limit *= 2
