"""Snippets of the ORIGINAL text with the matches marked, shared by every engine.

A snippet goes out two ways: `Snippet` (plain text plus ``[start, end)`` marks, for clients that
render their own) and `to_html` (escaped text with ``<mark>``, safe to drop into a page).  Every
engine's snippet is cut by `window` (for Elasticsearch/OpenSearch, around the marks read from
their highlighter with `from_tagged`), which drops bidi embedding, override and isolate
controls, so every engine sends the same safe text.
"""

from __future__ import annotations

import bisect
import html

from searcher.arabic import ArabicAnalyzer
from searcher.limits import HIGHLIGHT_MAX_ANALYZED_CHARS, SNIPPET_CHARS
from searcher.models import Snippet
from searcher.query import QueryPlan, highlight_terms

ELLIPSIS = "…"
# Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder what a reader
# sees: an unclosed right-to-left override in a document can make a snippet read as something
# else ("Trojan Source").  They never reach a snippet.  The marks LRM, RLM and ALM stay: they
# only place neutral characters, and Arabic text uses them.
BIDI_CONTROLS = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_STRIP_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


def without_bidi_controls(text: str, marks: list[tuple[int, int]]) -> Snippet:
    """`text` without `BIDI_CONTROLS`, its marks moved to the same characters."""
    if not BIDI_CONTROLS.intersection(text):
        return Snippet(text=text, marks=marks)
    kept_before = [0]  # kept_before[i]: characters kept from text[:i]
    for char in text:
        kept_before.append(kept_before[-1] + (char not in BIDI_CONTROLS))
    moved = [(kept_before[s], kept_before[e]) for s, e in marks]
    return Snippet(text=text.translate(_STRIP_BIDI), marks=[(s, e) for s, e in moved if e > s])


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
        return without_bidi_controls(text, spans)
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
    return without_bidi_controls(prefix + text[start:end] + suffix, marks)


def from_tagged(fragment: str, pre: str, post: str) -> Snippet:
    """Read an engine highlight whose matches are wrapped in `pre` … `post`: the text exactly as
    the engine sent it (tags removed, every other character kept, so the marks are offsets into
    the stored field) and the marks.  Not a snippet yet: `window` cuts it and drops bidi
    controls."""
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
    """Where the plan's words and phrases occur in `text`, found with the Python analysis
    (original offsets): what the engines' highlighters mark, word by word.

    Only `analysed_part(text)` is read: one huge document must not stall a search.
    """
    text = analysed_part(text)
    wanted = highlight_terms(plan)
    found = set(analyzer.term_spans(text, wanted.stemmed, wanted.exact))
    if wanted.phrases:
        found.update(_phrase_spans(analyzer, text, wanted.phrases))
    return sorted(found)


def _phrase_spans(
    analyzer: ArabicAnalyzer, text: str, phrases: tuple[tuple[str, ...], ...]
) -> set[tuple[int, int]]:
    """The words of every place a phrase occurs: its exact terms at consecutive positions.

    Only the words holding a phrase's first term are looked at (found by the fast walk), each
    with the few words after it: analysing a whole body into tokens cost 5 ms a hit."""
    found: set[tuple[int, int]] = set()
    longest = max(len(phrase) for phrase in phrases)
    for start, _ in analyzer.term_spans(text, (), {phrase[0] for phrase in phrases}):
        tokens = analyzer.exact_tokens_near(text, start, extra=longest - 1)
        terms = [token.term for token in tokens]
        for phrase in phrases:
            width = len(phrase)
            for i, term in enumerate(terms[: len(terms) - width + 1]):
                if term == phrase[0] and tuple(terms[i : i + width]) == phrase:
                    found.update((t.start, t.end) for t in tokens[i : i + width])
    return found


def word_marks(
    analyzer: ArabicAnalyzer, text: str, marks: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Engine marks as one span per word.  Elasticsearch marks a matched phrase as ONE span
    (Lucene's weight matches: «إلى المدرسة»); OpenSearch and the embedded engine mark each word
    («إلى» «المدرسة»).  Splitting makes every engine's marks the same."""
    return sorted(
        {
            (start + a, start + b)
            for start, end in marks
            for a, b in analyzer.word_spans(text[start:end])
        }
    )


def python_snippet(analyzer: ArabicAnalyzer, title: str, body: str, plan: QueryPlan) -> Snippet:
    """The snippet for engines without a highlighter of their own (the embedded one)."""
    text = body or title
    return window(text, spans_for(analyzer, text, plan))
