"""Our normaliser agrees with camel-tools on every line of real text.

camel-tools' chain (`dediac_ar` + `normalize_alef_ar` + `normalize_alef_maksura_ar` +
`normalize_teh_marbuta_ar`) is the reference people trust.  We fold MORE than it does, on purpose
(the README lists each difference); so the claim tested here is exact: on every fixture line,

    normalise(line) == camel_chain(normalise(line, only the rules camel has no equivalent for))

i.e. our output is camel's output once our deliberate extra rules have run.  And where a line
needs none of the extras, the two agree character for character.
"""

from __future__ import annotations

import pytest
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

from searcher.arabic import RULES, ArabicAnalyzer
from tests.conftest import fixture_lines

CAMEL_RULES = {rule.name for rule in RULES if rule.camel_equivalent}
# Everything else: the rules that make the deliberate differences.
EXTRAS_ONLY = ArabicAnalyzer(disabled=CAMEL_RULES)
CAMEL_ONLY = ArabicAnalyzer(disabled={r.name for r in RULES} - CAMEL_RULES)
OURS = ArabicAnalyzer()

LINES = fixture_lines("news_ar.txt") + fixture_lines("quran_sample.txt")


def camel_chain(text: str) -> str:
    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(text))))


@pytest.mark.parametrize("line", LINES, ids=[f"line{i}" for i in range(len(LINES))])
def test_our_normaliser_is_camel_plus_the_listed_extras(line: str) -> None:
    assert OURS.normalise(line) == camel_chain(EXTRAS_ONLY.normalise(line))


def test_without_the_extras_we_are_camel_on_modern_text() -> None:
    news = fixture_lines("news_ar.txt")
    differing = [
        line
        for line in news
        if CAMEL_ONLY.normalise(line) != camel_chain(line) and not any(c.isupper() for c in line)
    ]
    assert differing == []


def test_the_fixtures_exercise_the_hard_cases() -> None:
    text = "\n".join(LINES)
    assert "ٱلۡكِتَٰبُ" in text  # alef wasla, Quranic sukun, superscript alef
    assert "\u0670" in text and "\u06e1" in text and "ة" in text and "أ" in text
    # Where the two differ on purpose (superscript alef: ا for us, deleted by camel).
    assert OURS.normalise("ٱلۡكِتَٰبُ") == "الكتاب"
    assert camel_chain("ٱلۡكِتَٰبُ") == "الۡكتب"
