"""Facets: how many of the matching documents carry each tag (or each value of a declared field).

``facets={"tags": {"سياسة": 12, "رياضة": 3}}`` answers "narrow these results by what?": the
counts are over the documents the query AND the filters match, as Meilisearch's
`facetDistribution`.  The engine counts (a terms aggregation on Elasticsearch/OpenSearch,
tantivy's `aggregate` on the embedded engine), each asked for `FACET_CANDIDATES` values; here the
`MAX_FACET_VALUES` most frequent are kept, ties by value, so every engine shows the same counts
in the same order.  Only tags and the fields an index declares filterable can be counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from searcher.filters import TAGS, FilterError, Filters, declared_list, shown
from searcher.filters import check as check_filters
from searcher.limits import MAX_FACET_FIELDS, MAX_FACET_VALUES

Counts = dict[str, dict[str, int]]


def check(names: Sequence[str], declared: Sequence[str]) -> tuple[str, ...]:
    """The facets asked for (no duplicates), each one this index can count, or `FilterError`."""
    wanted = tuple(dict.fromkeys(names))
    if len(wanted) > MAX_FACET_FIELDS:
        raise FilterError(f"at most {MAX_FACET_FIELDS} facets in one search")
    for name in wanted:
        if name != TAGS and name not in declared:
            raise FilterError(f"no facet {shown(name)!r} here; {declared_list(declared)}")
    return wanted


def check_search(
    filters: Filters, names: Sequence[str], declared: Callable[[], Sequence[str]]
) -> tuple[str, ...]:
    """Check one search's filters and facets against what the index declares (`declared` is
    asked only when a declared field is involved); the facets to count, or `FilterError`."""
    if not filters.fields and all(name == TAGS for name in names):
        return check(names, ())
    known = declared()
    check_filters(filters, known)
    return check(names, known)


def top(buckets: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The most frequent values of one facet, most documents first, ties by value."""
    ranked = sorted(((key, count) for key, count in buckets if count > 0), key=_order)
    return dict(ranked[:MAX_FACET_VALUES])


def _order(bucket: tuple[str, int]) -> tuple[int, str]:
    return -bucket[1], bucket[0]
