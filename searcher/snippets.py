"""Snippets of the ORIGINAL text with the matches marked, shared by every engine.

A snippet goes out two ways: `Snippet` (plain text plus ``[start, end)`` marks, for clients that
render their own) and `to_html` (escaped text with ``<mark>``, safe to drop into a page).
"""

from __future__ import annotations

import html

from searcher.arabic import ArabicAnalyzer
from searcher.limits import SNIPPET_CHARS
from searcher.models import Snippet
from searcher.query import QueryPlan, highlight_terms

ELLIPSIS = "…"


def window(text: str, spans: list[tuple[int, int]], max_chars: int = SNIPPET_CHARS) -> Snippet:
    """The stretch of `text` around its densest cluster of `spans`, cut at spaces."""
    spans = sorted(spans)
    if len(text) <= max_chars:
        return Snippet(text=text, marks=spans)
    start = 0
    if spans:
        # Slide over the spans and keep the start that covers the most of them.
        best, best_count = spans[0][0], 0
        for i, (first, _) in enumerate(spans):
            count = sum(1 for s, e in spans[i:] if e <= first + max_chars)
            if count > best_count:
                best, best_count = first, count
        start = max(0, best - max_chars // 4)
    end = min(len(text), start + max_chars)
    # Never cut a word in half: move inwards to the nearest space.
    if start > 0:
        space = text.find(" ", start, min(end, spans[0][0] if spans else end))
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    shift = len(prefix) - start
    marks = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
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


def spans_for(analyzer: ArabicAnalyzer, text: str, plan: QueryPlan) -> list[tuple[int, int]]:
    """Where the plan's terms occur in `text`, found with the Python analysis (original offsets)."""
    stemmed_terms, exact_terms = highlight_terms(plan)
    return analyzer.spans(
        text, lambda stemmed, exact: stemmed in stemmed_terms or exact in exact_terms
    )


def python_snippet(analyzer: ArabicAnalyzer, title: str, body: str, plan: QueryPlan) -> Snippet:
    """The snippet for engines without a highlighter of their own (the embedded one)."""
    text = body or title
    return window(text, spans_for(analyzer, text, plan))
