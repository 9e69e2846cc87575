"""Snippets of the ORIGINAL text with the matches marked, shared by every engine.

A snippet goes out two ways: `Snippet` (plain text plus ``[start, end)`` marks, for clients that
render their own) and `to_html` (escaped text with ``<mark>``, safe to drop into a page).
"""

from __future__ import annotations

import bisect
import html

from searcher.arabic import ArabicAnalyzer
from searcher.limits import HIGHLIGHT_MAX_ANALYZED_CHARS, SNIPPET_CHARS
from searcher.models import Snippet
from searcher.query import QueryPlan, highlight_terms

ELLIPSIS = "…"


def _densest_start(spans: list[tuple[int, int]], max_chars: int) -> int:
    """The start of the first span whose `max_chars` window holds the most whole spans.

    One pass with two pointers (spans are sorted and do not overlap, so their ends are sorted
    too): a document with 200,000 matches costs 200,000 steps, not 200,000².
    """
    best, best_count = spans[0][0], 0
    end_index = 0
    for i, (first, _) in enumerate(spans):
        end_index = max(end_index, i)
        while end_index < len(spans) and spans[end_index][1] <= first + max_chars:
            end_index += 1
        if end_index - i > best_count:
            best, best_count = first, end_index - i
    return best


def window(text: str, spans: list[tuple[int, int]], max_chars: int = SNIPPET_CHARS) -> Snippet:
    """The stretch of `text` around its densest cluster of `spans`, cut at spaces."""
    spans = sorted(spans)
    if len(text) <= max_chars:
        return Snippet(text=text, marks=spans)
    best = _densest_start(spans, max_chars) if spans else 0
    start = max(0, best - max_chars // 4)
    end = min(len(text), start + max_chars)
    # Never cut a word in half: move inwards to the nearest space before the chosen cluster.
    if start > 0 and text[start - 1] != " ":
        space = text.find(" ", start, best)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    shift = len(prefix) - start
    first = bisect.bisect_left(spans, (start, start))
    marks = []
    for s, e in spans[first:]:
        if s >= end:
            break
        if e <= end:
            marks.append((s + shift, e + shift))
    return Snippet(text=prefix + text[start:end] + suffix, marks=marks)


def from_tagged(fragment: str, pre: str, post: str) -> Snippet:
    """Read an engine highlight fragment whose matches are wrapped in `pre` … `post`."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    length = 0
    for i, piece in enumerate(fragment.split(pre)):
        if i == 0:
            out.append(piece)
            length += len(piece)
            continue
        marked, _, rest = piece.partition(post)
        marks.append((length, length + len(marked)))
        out.append(marked + rest)
        length += len(marked) + len(rest)
    return Snippet(text="".join(out), marks=marks)


def to_html(snippet: Snippet) -> str:
    """Escaped text with each mark wrapped in ``<mark>``: document text can never inject HTML."""
    parts: list[str] = []
    cursor = 0
    for start, end in snippet.marks:
        if start < cursor:
            continue  # overlapping marks: the first one wins
        parts.append(html.escape(snippet.text[cursor:start]))
        parts.append(f"<mark>{html.escape(snippet.text[start:end])}</mark>")
        cursor = end
    parts.append(html.escape(snippet.text[cursor:]))
    return "".join(parts)


def analysed_part(text: str, limit: int = HIGHLIGHT_MAX_ANALYZED_CHARS) -> str:
    """The part of a field a snippet may analyse: its first `limit` characters, cut at a space
    so the last word is whole (as Elasticsearch's `max_analyzed_offset` bounds its highlighter)."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit + 1)
    return text[: space if space > 0 else limit]


def spans_for(analyzer: ArabicAnalyzer, text: str, plan: QueryPlan) -> list[tuple[int, int]]:
    """Where the plan's terms occur in `text`, found with the Python analysis (original offsets).

    Only `analysed_part(text)` is read: one huge document must not stall a search.
    """
    stemmed_terms, exact_terms = highlight_terms(plan)
    return analyzer.spans(
        analysed_part(text),
        lambda stemmed, exact: stemmed in stemmed_terms or exact in exact_terms,
    )


def python_snippet(analyzer: ArabicAnalyzer, title: str, body: str, plan: QueryPlan) -> Snippet:
    """The snippet for engines without a highlighter of their own (the embedded one)."""
    text = body or title
    return window(text, spans_for(analyzer, text, plan))
