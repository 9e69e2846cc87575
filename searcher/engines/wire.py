"""Request bodies and response parsing shared by Elasticsearch and OpenSearch.

Both take the same JSON for index creation, bulk, search, highlighting, _analyze and aliases;
`cluster.ClusterEngine` sends these bodies through whichever official client it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from searcher import facets as facet_counts
from searcher.arabic import ArabicAnalyzer
from searcher.dictionary import DocumentWords
from searcher.engines.template import FORMS_FIELD
from searcher.filters import DATE, TAGS, Filters
from searcher.limits import FACET_CANDIDATES, HIGHLIGHT_MAX_ANALYZED_CHARS
from searcher.models import Document, Hit, ShardCounts, Snippet
from searcher.query import TIE_BREAKER, Clause, QueryPlan
from searcher.snippets import from_tagged, to_html, window, word_marks
from searcher.sorting import SortOrder

# Two of Unicode's noncharacters, reserved for a program's internal use: documents lose them on
# the way in (models.Document), so they delimit highlights unambiguously.  (Private-use
# characters, the tags until issue #15, do occur in text: legacy fonts put glyphs there.)  The
# snippet is escaped only after the marks are read.
PRE_TAG, POST_TAG = "\ufdd0", "\ufdd1"
# A snippet comes from the body (or, when a document has none, the title): the marks of the
# stemmed field (words) and of its exact twin (phrases, stop words, the very form typed) together.
SNIPPET_FIELDS = ("body", "title")
HIGHLIGHT_FIELDS = tuple(f for field in SNIPPET_FIELDS for f in (field, f"{field}.exact"))


def clause_query(clause: Clause) -> dict[str, Any]:
    kind = "match_phrase" if clause.kind == "phrase" else "match"
    queries = []
    for field, boost in clause.fields():
        spec: dict[str, Any] = {"query": clause.text, "boost": boost * clause.weight}
        if kind == "match":
            spec["operator"] = "and"
        queries.append({kind: {field: spec}})
    return {"dis_max": {"queries": queries, "tie_breaker": TIE_BREAKER}}


def plan_query(plan: QueryPlan) -> dict[str, Any]:
    groups = []
    for group in plan.groups:
        alternatives = [clause_query(c) for c in group]
        if len(alternatives) == 1:
            groups.append(alternatives[0])
        else:
            groups.append({"bool": {"should": alternatives, "minimum_should_match": 1}})
    must_not = [clause_query(c) for c in plan.excluded]
    # Filters never score (a `filter` clause); with no words at all they alone decide (score 0).
    filters = {"filter": filter_clauses(plan.filters)} if not plan.filters.empty else {}
    if plan.minimum_groups is None:
        return {"bool": {"must": groups, "must_not": must_not, **filters}}
    return {
        "bool": {
            "should": groups,
            "minimum_should_match": plan.minimum_groups,
            "must_not": must_not,
            **filters,
        }
    }


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """One clause per filter (`searcher/filters.py`); dates as epoch milliseconds."""
    clauses: list[dict[str, Any]] = []
    if filters.tags and filters.tags_match == "all":
        clauses += [{"term": {TAGS: tag}} for tag in filters.tags]
    elif filters.tags:
        clauses.append({"terms": {TAGS: list(filters.tags)}})
    if filters.since is not None or filters.until is not None:
        bounds: dict[str, Any] = {"format": "epoch_millis"}
        if filters.since is not None:
            bounds["gte"] = filters.since
        if filters.until is not None:
            bounds["lte"] = filters.until
        clauses.append({"range": {DATE: bounds}})
    clauses += [{"terms": {name: list(values)}} for name, values in filters.fields]
    return clauses


# Newest first; undated last; ties by relevance, then by id (as `engines/datesort.py`).
DATE_SORT = [
    {DATE: {"order": "desc", "missing": "_last"}},
    {"_score": {"order": "desc"}},
    {"id": {"order": "asc"}},
]


def search_body(
    plan: QueryPlan,
    page: int,
    size: int,
    max_offset_key: str,
    sort: SortOrder = "relevance",
    facets: Sequence[str] = (),
) -> dict[str, Any]:
    """The search request.  `max_offset_key` is the engine's name for the highlighter's bound:
    only the first HIGHLIGHT_MAX_ANALYZED_CHARS characters of a field are analysed for the
    snippet, so a body past the index limit (1,000,000) is found and highlighted where it can
    be, instead of failing the whole search."""
    # The whole field, marked (no fragments): the snippet window is cut here by the same
    # `snippets.window` as the embedded engine's, so all engines show the same stretch.
    field_options = {"number_of_fragments": 0}
    extra: dict[str, Any] = {}
    if sort == "date":
        extra["sort"] = DATE_SORT
        extra["track_scores"] = True  # a hit still says how relevant it is
    if facets:
        extra["aggs"] = {
            name: {"terms": {"field": name, "size": FACET_CANDIDATES}} for name in facets
        }
    return {
        **extra,
        "query": plan_query(plan),
        "from": (page - 1) * size,
        "size": size,
        "track_total_hits": True,
        "_source": ["id", "title", "body", "url"],
        "highlight": {
            "type": "unified",
            "pre_tags": [PRE_TAG],
            "post_tags": [POST_TAG],
            "encoder": "default",
            max_offset_key: HIGHLIGHT_MAX_ANALYZED_CHARS,
            "fields": {field: dict(field_options) for field in HIGHLIGHT_FIELDS},
        },
    }


def _snippet(
    source: dict[str, Any], highlight: dict[str, list[str]], analyzer: ArabicAnalyzer
) -> Snippet:
    field = next((f for f in SNIPPET_FIELDS if source.get(f)), SNIPPET_FIELDS[0])
    text = source.get(field) or ""
    marks: list[tuple[int, int]] = []
    for name in (field, f"{field}.exact"):
        for fragment in highlight.get(name, [])[:1]:
            tagged = from_tagged(fragment, PRE_TAG, POST_TAG)
            # The highlighter returns the field itself (perhaps cut at its analysed length), so
            # its marks are offsets into the stored text.
            if text.startswith(tagged.text):
                marks += tagged.marks
    return window(text, word_marks(analyzer, text, marks))


def parse_facets(response: dict[str, Any], facets: Sequence[str]) -> facet_counts.Counts:
    aggregations = response.get("aggregations", {})
    return {
        name: facet_counts.top(
            (str(b["key"]), int(b["doc_count"])) for b in aggregations[name]["buckets"]
        )
        for name in facets
    }


def parse_hits(response: dict[str, Any], analyzer: ArabicAnalyzer) -> tuple[int, list[Hit]]:
    hits = []
    for raw in response["hits"]["hits"]:
        source = raw.get("_source", {})
        snippet = _snippet(source, raw.get("highlight", {}), analyzer)
        hits.append(
            Hit(
                id=raw["_id"],
                score=round(float(raw.get("_score") or 0.0), 4),
                title=source.get("title", ""),
                url=source.get("url"),
                snippet_html=to_html(snippet),
                snippet=snippet,
            )
        )
    total = response["hits"]["total"]
    return (total["value"] if isinstance(total, dict) else int(total)), hits


def shard_counts(response: dict[str, Any]) -> tuple[bool, ShardCounts]:
    """(partial?, counts) from a search response's ``_shards`` and ``timed_out``.

    A shard counts as failed when it did not answer, whatever the engine calls it: Elasticsearch
    reports an unassigned shard as failed, OpenSearch 2.x only leaves it out of `successful`.
    Skipped shards (ruled out before the query ran) are part of `successful` in both.
    """
    shards = response.get("_shards", {})
    total = int(shards.get("total", 0))
    successful = int(shards.get("successful", 0))
    failed = max(int(shards.get("failed", 0)), total - successful)
    partial = failed > 0 or bool(response.get("timed_out"))
    return partial, ShardCounts(total=total, successful=successful, failed=failed)


def dictionary_body(after: dict[str, Any] | None, page: int) -> dict[str, Any]:
    """One page of the word dictionary: `page` values of `FORMS_FIELD` with their document
    counts, in value order, after `after` (a composite aggregation walks every value)."""
    composite: dict[str, Any] = {
        "size": page,
        "sources": [{"value": {"terms": {"field": FORMS_FIELD}}}],
    }
    if after is not None:
        composite["after"] = after
    return {"size": 0, "track_total_hits": False, "aggs": {"forms": {"composite": composite}}}


def indexed_source(doc: Document, words: DocumentWords) -> dict[str, Any]:
    """What a document's bulk action carries: its source and its words for the dictionary
    (`FORMS_FIELD`, which the mapping keeps out of the stored `_source`)."""
    return {**doc.source(), FORMS_FIELD: words.values(doc)}


def bulk_actions(index: str, docs: list[Document], words: DocumentWords) -> list[dict[str, Any]]:
    """Actions for the clients' bulk helpers (the bench's baselines; searcher's own requests
    are built by `bulk.Encoded`): each source as `indexed_source` makes it."""
    return [
        {
            "_op_type": "index",
            "_index": index,
            "_id": doc.id,
            "_source": indexed_source(doc, words),
        }
        for doc in docs
    ]


def alias_actions(alias: str, index: str, current: list[str], alias_is_index: bool) -> list[dict]:
    """One atomic update: drop the old targets (or the concrete index squatting on the name)."""
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in current]
    if alias_is_index:
        actions.append({"remove_index": {"index": alias}})
    actions.append({"add": {"index": index, "alias": alias}})
    return actions
