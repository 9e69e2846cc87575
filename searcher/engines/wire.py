"""Request bodies and response parsing shared by Elasticsearch and OpenSearch.

Both take the same JSON for index creation, bulk, search, highlighting, _analyze and aliases;
`cluster.ClusterEngine` sends these bodies through whichever official client it holds.
"""

from __future__ import annotations

from typing import Any

from searcher.limits import HIGHLIGHT_MAX_ANALYZED_CHARS, SNIPPET_CHARS
from searcher.models import Document, Hit, Snippet
from searcher.query import TIE_BREAKER, Clause, QueryPlan
from searcher.snippets import from_tagged, to_html, window

# Two of Unicode's noncharacters, reserved for a program's internal use: documents lose them on
# the way in (models.Document), so they delimit highlights unambiguously.  (Private-use
# characters, the tags until issue #15, do occur in text: legacy fonts put glyphs there.)  The
# snippet is escaped only after the marks are read.
PRE_TAG, POST_TAG = "\ufdd0", "\ufdd1"
# Snippet sources, best first: the stemmed body, its exact twin (phrases), then the title.
HIGHLIGHT_FIELDS = ("body", "body.exact", "title", "title.exact")


def clause_query(clause: Clause) -> dict[str, Any]:
    kind = "match_phrase" if clause.kind == "phrase" else "match"
    queries = []
    for field, boost in clause.fields():
        spec: dict[str, Any] = {"query": clause.text, "boost": boost}
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
    if plan.minimum_groups is None:
        return {"bool": {"must": groups, "must_not": must_not}}
    return {
        "bool": {
            "should": groups,
            "minimum_should_match": plan.minimum_groups,
            "must_not": must_not,
        }
    }


def search_body(plan: QueryPlan, page: int, size: int, max_offset_key: str) -> dict[str, Any]:
    """The search request.  `max_offset_key` is the engine's name for the highlighter's bound:
    only the first HIGHLIGHT_MAX_ANALYZED_CHARS characters of a field are analysed for the
    snippet, so a body past the index limit (1,000,000) is found and highlighted where it can
    be, instead of failing the whole search."""
    field_options = {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}
    return {
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


def _snippet(source: dict[str, Any], highlight: dict[str, list[str]]) -> Snippet:
    for field in HIGHLIGHT_FIELDS:
        fragments = highlight.get(field)
        if fragments:
            snippet = from_tagged(fragments[0], PRE_TAG, POST_TAG)
            if snippet.marks:
                return snippet
    text = source.get("body") or source.get("title") or ""
    return window(text, [], SNIPPET_CHARS)


def parse_hits(response: dict[str, Any]) -> tuple[int, list[Hit]]:
    hits = []
    for raw in response["hits"]["hits"]:
        source = raw.get("_source", {})
        snippet = _snippet(source, raw.get("highlight", {}))
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


def prefix_body(pattern: str, size: int) -> dict[str, Any]:
    """Documents with an exact-field term matching `pattern`, for suggestions."""
    return {
        "size": size,
        "_source": ["title", "body"],
        "query": {
            "bool": {
                "should": [
                    {"regexp": {field: {"value": pattern}}}
                    for field in ("title.exact", "body.exact")
                ]
            }
        },
    }


def bulk_actions(index: str, docs: list[Document]) -> list[dict[str, Any]]:
    """Actions for the clients' bulk helpers (the bench's baselines; searcher's own requests
    are built by `bulk.Encoded`)."""
    return [
        {"_op_type": "index", "_index": index, "_id": doc.id, "_source": doc.source()}
        for doc in docs
    ]


def alias_actions(alias: str, index: str, current: list[str], alias_is_index: bool) -> list[dict]:
    """One atomic update: drop the old targets (or the concrete index squatting on the name)."""
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in current]
    if alias_is_index:
        actions.append({"remove_index": {"index": alias}})
    actions.append({"add": {"index": index, "alias": alias}})
    return actions
