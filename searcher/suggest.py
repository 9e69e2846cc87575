"""Search-as-you-type: complete the word being typed, matching it however Arabic writes it.

The last word of the input is normalised ("مدر"), turned into a pattern over indexed exact terms
that allows a leading clitic (``(ال|وال|بال|…)?مدر.*``), and the engine returns documents holding
such terms.  The completions are the words AS WRITTEN in those documents (stripped of harakat and
Quranic marks for display), ranked by how often they occur: "مدر" offers «المدرسة», «مدرسة».
"""

from __future__ import annotations

from collections import Counter

import regex

from searcher.arabic import RULES, ArabicAnalyzer
from searcher.engines.base import Engine

CLITICS = ("وال", "بال", "كال", "فال", "لل", "ال", "و", "ب", "ل", "ف")
MIN_PREFIX = 2  # one letter matches half the dictionary
SOURCES = 20  # documents read per suggestion request
# Display forms keep letters as written and drop only what clutters a suggestion list.
_DISPLAY = ArabicAnalyzer(
    disabled={r.name for r in RULES} - {"harakat", "quranic_marks", "tatweel", "invisible_marks"}
)


def pattern_for(prefix: str) -> str:
    """A regex over normalised terms (Lucene, tantivy and Python read it alike)."""
    return f"({'|'.join(CLITICS)})?{prefix}.*"


def suggest(
    engine: Engine, index: str, analyzer: ArabicAnalyzer, text: str, size: int = 8
) -> list[str]:
    """Up to `size` completions of the last word of `text`, most frequent first."""
    words = analyzer.terms(text, stemmed=False)
    if not words or len(words[-1]) < MIN_PREFIX:
        return []
    pattern = pattern_for(words[-1])
    matcher = regex.compile(pattern)
    counts: Counter[str] = Counter()
    matches = lambda _stemmed, exact: matcher.fullmatch(exact) is not None  # noqa: E731
    for source in engine.prefix_sources(index, pattern, SOURCES):
        for field in ("title", "body"):
            text = source.get(field) or ""
            for start, end in analyzer.spans(text, matches):
                counts[_DISPLAY.normalise(text[start:end])] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
    return [word for word, _ in ranked[:size]]
