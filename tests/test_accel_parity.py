"""The optional accelerator (accel/, Rust) and the pure-Python walks give the same output.

`searcher.arabic.walk` runs the indexing and snippet loops either natively (`searcher_accel`) or
in Python.  Every line of every text fixture, every document of the JSON fixture and of a
generated bench corpus, and seeded random strings of hostile characters (astral letters, lone
surrogates, marks without a letter, joiners, underscores) go through both, for the default
analysis and one with rules switched off (another token class).  Both must also equal the
definition they speed up: `term_lists` joined, and the generic `spans` walk.

Without the accelerator these tests skip, with the reason: it is optional everywhere, CI
included (no install of searcher needs a Rust toolchain).  `make test` builds it whenever cargo
is present, so a machine with cargo runs them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from bench.corpus import documents
from searcher.arabic import ArabicAnalyzer
from searcher.arabic.walk import PythonWalker, Walker, accelerator, token_ranges
from tests.conftest import FIXTURES, fixture_lines

ANALYZERS = {
    "default": ArabicAnalyzer(),
    # Another token class: the kashida and the joiners no longer belong inside a word.
    "rules off": ArabicAnalyzer(disabled={"tatweel", "invisible_marks", "harakat"}),
}


def _native_walker(analyzer: ArabicAnalyzer) -> Walker:
    native = accelerator()
    if native is None:
        pytest.skip("optional accelerator searcher_accel not built (`make accel`, needs cargo)")
    walker = analyzer._walker
    assert isinstance(walker, native.Walker), "the analyzer should use the installed accelerator"
    return walker


def _texts() -> Iterator[str]:
    for name in ("news_ar.txt", "quran_sample.txt", "quran_orthography.txt"):
        yield from fixture_lines(name)
    for line in (FIXTURES / "quran_sample.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        yield record["title"]
        yield record["body"]
    for doc in documents(300, seed=11):  # the bench's generator, on the bundled blocks
        yield doc.title
        yield doc.body
    yield from _hostile_strings()


def _hostile_strings() -> Iterator[str]:
    alphabet = (
        "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة"  # letters
        "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u06e1\u06e5"  # marks
        "\u0640\u200c\u200d\u200f\u202b\u202c"  # tatweel, joiners, bidi controls
        " \n\t،.!؟_-0123456789٠١٢٣"  # separators, underscore, digits
        "\U0001d400\U0001d41a\U0001f600\U000e0100\ufdfa\ufefb"  # astral letters, emoji, ligatures
        "\ud800\udfff"  # lone surrogates: Python strings can hold them
        "abcXYZ"
    )
    rng = random.Random(14)
    for _ in range(400):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
    yield ""
    yield "\u064e\u064e word\u0651"  # marks before any letter
    yield "كتب" * 40  # one long run


TEXTS = list(_texts())


def _wanted(analyzer: ArabicAnalyzer, text: str) -> tuple[set[str], set[str]]:
    """Terms of every third word of `text`, so that most texts have hits and misses."""
    stemmed, exact = analyzer.analyse(text)
    return {t.term for t in stemmed[::3]}, {t.term for t in exact[1::3]}


@pytest.mark.parametrize("name", ANALYZERS)
def test_joined_terms_are_the_same_natively_and_in_python(name: str) -> None:
    analyzer = ANALYZERS[name]
    native = _native_walker(analyzer)
    python = PythonWalker(analyzer._fast_token_re, analyzer._words)
    for text in TEXTS:
        expected = tuple(" ".join(terms) for terms in analyzer.term_lists(text))
        assert python.joined(text) == expected, text
        assert native.joined(text) == expected, text


@pytest.mark.parametrize("name", ANALYZERS)
def test_snippet_spans_are_the_same_natively_and_in_python(name: str) -> None:
    analyzer = ANALYZERS[name]
    native = _native_walker(analyzer)
    python = PythonWalker(analyzer._fast_token_re, analyzer._words)
    hits = 0
    for text in TEXTS:
        stemmed, exact = _wanted(analyzer, text)
        expected = analyzer.spans(text, lambda s, e: s in stemmed or e in exact)  # noqa: B023
        assert python.spans(text, stemmed, exact) == expected, text
        assert native.spans(text, stemmed, exact) == expected, text
        hits += bool(expected)
    assert hits > len(TEXTS) // 2  # the comparison saw real matches, not only empty lists


def test_the_token_class_handed_over_is_the_regex_class() -> None:
    analyzer = ANALYZERS["default"]
    ranges = token_ranges(analyzer._fast_token_re.pattern)
    inside = {cp for lo, hi in ranges for cp in (lo, hi, (lo + hi) // 2)}
    outside = {lo - 1 for lo, _ in ranges} | {hi + 1 for _, hi in ranges}
    one = analyzer._fast_token_re
    assert all(one.fullmatch(chr(cp)) for cp in inside)
    assert not any(one.fullmatch(chr(cp)) for cp in outside if 0 <= cp < 0x110000)
