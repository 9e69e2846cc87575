"""Snippets mark a phrase where it occurs, found without analysing the whole text.

`snippets._phrase_spans` looks only at the words holding a phrase's first term, each with the
few words after it.  It must find exactly what the definition finds: every run of consecutive
exact tokens equal to the phrase, over the whole text's token walk.  Phrases are taken from the
texts themselves (two to four consecutive words, so each occurs at least once), plus phrases
that never occur, on every fixture line, the JSON fixture and a generated corpus.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

from bench.corpus import documents
from searcher.arabic import ArabicAnalyzer
from searcher.snippets import _phrase_spans
from tests.conftest import FIXTURES, fixture_lines

ANALYZER = ArabicAnalyzer()


def _defined(text: str, phrases: tuple[tuple[str, ...], ...]) -> set[tuple[int, int]]:
    """Every token of every place a phrase occurs, from the whole text's exact tokens."""
    tokens = ANALYZER.tokens(text, stemmed=False)
    terms = [token.term for token in tokens]
    found = set()
    for phrase in phrases:
        width = len(phrase)
        for i in range(len(terms) - width + 1):
            if tuple(terms[i : i + width]) == phrase:
                found.update((t.start, t.end) for t in tokens[i : i + width])
    return found


def _texts() -> Iterator[str]:
    for name in ("news_ar.txt", "quran_sample.txt", "quran_orthography.txt"):
        yield from fixture_lines(name)
    for line in (FIXTURES / "quran_sample.jsonl").read_text(encoding="utf-8").splitlines():
        yield json.loads(line)["body"]
    for doc in documents(100, seed=21):
        yield doc.body


def test_phrase_spans_equal_the_whole_text_walk() -> None:
    rng = random.Random(7)
    checked = 0
    for text in _texts():
        terms = [token.term for token in ANALYZER.tokens(text, stemmed=False)]
        if len(terms) < 4:
            continue
        phrases = []
        for width in (2, 3, 4):
            i = rng.randrange(len(terms) - width + 1)
            phrases.append(tuple(terms[i : i + width]))
        phrases.append((terms[0], "غيرموجودةابدا"))  # its first word occurs, the rest never
        phrases_t = tuple(phrases)
        expected = _defined(text, phrases_t)
        assert expected  # the phrases drawn from the text occur in it
        assert _phrase_spans(ANALYZER, text, phrases_t) == expected, text[:80]
        checked += 1
    assert checked > 100
