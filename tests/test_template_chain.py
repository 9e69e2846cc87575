"""The engine's analysis chain as rendered, against expectations written out by hand.

The engine parity test catches a broken chain only where engine nodes run; these catch it in a
plain `pytest`: the tokenizer, the order of the filters, the word rules and the stemmer's
regular expressions in Java's syntax (`$1`, not Python's `\\1`).
"""

from __future__ import annotations

import json

import pytest

from searcher.arabic import RULES, ArabicAnalyzer, normalise
from searcher.engines import template
from tests.test_rule_entries import WORD_CASES

ANALYSIS = template.analysis_settings(ArabicAnalyzer())
LIGHT = ANALYSIS["analyzer"]["arabic_light"]
EXACT = ANALYSIS["analyzer"]["arabic_exact"]

# light10 with the three-letter minimum, as `searcher/arabic/stem.py` documents it, in the
# syntax of java.util.regex.
STEMMER = [
    (r"^[وف](?=(?:بال|كال|لل)\p{L}{2})", ""),
    (r"^(?:ال|وال|بال|كال|فال|لل|و)(?=\p{L}{3})", ""),
    *((rf"^(\p{{L}}{{3,}}?){suffix}$", "$1") for suffix in "ها ان ات ون ين يه ية ه ة ي".split()),
]
# The Uthmani words of tests/test_rule_entries.py, as the filters see them after the char filter.
WORDS = {normalise(uthmani): modern for uthmani, modern in WORD_CASES}


def test_the_tokenizer_splits_on_everything_but_letters_digits_and_marks() -> None:
    (name,) = {LIGHT["tokenizer"], EXACT["tokenizer"]}
    assert ANALYSIS["tokenizer"][name] == {"type": "pattern", "pattern": r"[^\p{L}\p{N}\p{M}]+"}


def test_both_analyzers_start_with_the_mapping_char_filter() -> None:
    assert LIGHT["char_filter"] == EXACT["char_filter"] == ["arabic_rules"]
    assert ANALYSIS["char_filter"]["arabic_rules"]["type"] == "mapping"
    assert LIGHT["type"] == EXACT["type"] == "custom"


def _rewrites(names: list[str]) -> dict[str, str]:
    """pattern → replacement of the named pattern_replace filters."""
    specs = [ANALYSIS["filter"][name] for name in names]
    assert all(spec["type"] == "pattern_replace" for spec in specs)
    return {spec["pattern"]: spec["replacement"] for spec in specs}


def test_filter_order_lowercase_words_stop_then_stem() -> None:
    chain = LIGHT["filter"]
    n_words = len(chain) - 2 - len(STEMMER)
    assert chain[0] == "lowercase"
    assert chain[1 + n_words] == "arabic_stop"
    words, stems = chain[1 : 1 + n_words], chain[2 + n_words :]
    # Every Uthmani word rule, as an anchored whole-token rewrite, between lowercase and stop.
    rewrites = _rewrites(words)
    assert {word: rewrites.get(f"^{word}$") for word in WORDS} == WORDS
    # The stemmer's rules, in order, with Java's `$1`.
    assert [
        (ANALYSIS["filter"][n]["pattern"], ANALYSIS["filter"][n]["replacement"]) for n in stems
    ] == STEMMER
    _rewrites(stems)


def test_the_exact_analyzer_neither_stops_nor_stems() -> None:
    light = LIGHT["filter"]
    assert EXACT["filter"] == light[: light.index("arabic_stop")]


def test_no_python_backreference_reaches_java() -> None:
    replacements = [
        spec.get("replacement", "")
        for spec in ANALYSIS["filter"].values()
        if spec["type"] == "pattern_replace"
    ]
    assert not any("\\" in replacement for replacement in replacements)


def test_the_stop_filter_holds_normalised_words() -> None:
    stop = ANALYSIS["filter"]["arabic_stop"]
    assert stop["type"] == "stop"
    # إلى, هذه and ذلك as the stop filter sees them after the char filter.
    assert {"الي", "هذه", "ذلك", "في"} <= set(stop["stopwords"])


def test_mapping_lines_are_escaped_code_points() -> None:
    lines = ANALYSIS["char_filter"]["arabic_rules"]["mappings"]
    assert "\\u0671=>\\u0627" in lines  # ٱ → ا
    assert "\\u0649\\u0670=>\\u064A" in lines  # ىٰ → ي (a sequence's output is final)
    assert "\\u0640=>" in lines  # tatweel deleted
    assert "\\uFDFA=>" + "".join(f"\\u{ord(c):04X}" for c in "صلي الله عليه وسلم") in lines


@pytest.mark.parametrize("disabled", [set(), {"lowercase"}, {"uthmani_words"}])
def test_switched_off_rules_leave_the_chain(disabled: set[str]) -> None:
    analysis = template.analysis_settings(ArabicAnalyzer(disabled=disabled))
    chain = analysis["analyzer"]["arabic_light"]["filter"]
    assert ("lowercase" in chain) == ("lowercase" not in disabled)
    assert any(name.startswith("uthmani_") for name in chain) == ("uthmani_words" not in disabled)


def test_switching_every_char_rule_off_drops_the_char_filter() -> None:
    char_rules = {rule.name for rule in RULES if rule.kind in ("char", "sequence")}
    analysis = template.analysis_settings(ArabicAnalyzer(disabled=char_rules))
    assert analysis["char_filter"] == {}
    assert analysis["analyzer"]["arabic_light"]["char_filter"] == []


def test_the_index_body_declares_the_fields_searches_use() -> None:
    body = json.loads(template.render())
    properties = body["mappings"]["properties"]
    for field in ("title", "body"):
        assert properties[field]["analyzer"] == "arabic_light"
        assert properties[field]["fields"]["exact"]["analyzer"] == "arabic_exact"
    assert properties["id"]["type"] == "keyword"
    assert body["mappings"]["dynamic"] is False
    assert body["settings"]["index"] == {"number_of_shards": 1, "number_of_replicas": 0}
