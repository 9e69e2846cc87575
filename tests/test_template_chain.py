"""The engine's analysis chain as rendered, against expectations written out by hand.

The engine parity test catches a broken chain only where engine nodes run; these catch it in a
plain `pytest`: the tokenizer, the order of the filters, the word rules and the stemmer's
regular expressions in Java's syntax (`$1`, not Python's `\\1`).
"""

from __future__ import annotations

import json

import pytest
import regex

from searcher.arabic import RULES, ArabicAnalyzer, normalise
from searcher.engines import template
from tests.test_rule_entries import WORD_CASES

ANALYSIS = template.analysis_settings(ArabicAnalyzer())
LIGHT = ANALYSIS["analyzer"]["arabic_light"]
LIGHT_SEARCH = ANALYSIS["analyzer"]["arabic_light_search"]
EXACT = ANALYSIS["analyzer"]["arabic_exact"]
PATTERN_FILTERS = ["arabic_pattern_01", "arabic_pattern_02"]  # the two "pattern" rules, in order

# light10 with the three-letter minimum, as `searcher/arabic/stem.py` documents it, in the
# syntax of java.util.regex.
STEMMER = [
    (r"^[وف](?=(?:بال|كال|لل)\p{L}{2})", ""),
    (r"^(?:ال|وال|بال|كال|فال|لل|و)(?=\p{L}{3})", ""),
    *((rf"^(\p{{L}}{{3,}}?){suffix}$", "$1") for suffix in "ها ان ات ون ين يه ية ه ة ي".split()),
    (r"^(\p{L}{2,}و)ا$", "$1"),  # the alef after a final waw: يدعوا is يدعو
]
# The Uthmani words of tests/test_rule_entries.py, as the filters see them after the char filter.
WORDS = {normalise(uthmani): modern for uthmani, modern in WORD_CASES}


def test_the_tokenizer_splits_on_everything_but_letters_digits_and_marks() -> None:
    (name,) = {LIGHT["tokenizer"], EXACT["tokenizer"]}
    assert ANALYSIS["tokenizer"][name] == {"type": "pattern", "pattern": r"[^\p{L}\p{N}\p{M}]+"}


def test_every_analyzer_rewrites_patterns_then_maps_characters() -> None:
    chars = [*PATTERN_FILTERS, "arabic_rules"]
    assert LIGHT["char_filter"] == LIGHT_SEARCH["char_filter"] == EXACT["char_filter"] == chars
    assert all(ANALYSIS["char_filter"][n]["type"] == "pattern_replace" for n in PATTERN_FILTERS)
    # Java's group references, and the particle split off with a space in the fatha's place.
    assert {ANALYSIS["char_filter"][n]["replacement"] for n in PATTERN_FILTERS} == {"$1$2\u0627 "}
    assert ANALYSIS["char_filter"]["arabic_rules"]["type"] == "mapping"
    assert LIGHT["type"] == LIGHT_SEARCH["type"] == EXACT["type"] == "custom"


def _rewrites(names: list[str]) -> dict[str, str]:
    """pattern → replacement of the named pattern_replace filters."""
    specs = [ANALYSIS["filter"][name] for name in names]
    assert all(spec["type"] == "pattern_replace" for spec in specs)
    return {spec["pattern"]: spec["replacement"] for spec in specs}


def _rewritten(word: str, rewrites: dict[str, str]) -> str:
    """`word` through the token filters as the engine runs them (Java's `$1` read as `\\1`)."""
    for pattern, replacement in rewrites.items():
        word = regex.sub(pattern, regex.sub(r"\$(\d)", r"\\\1", replacement), word)
    return word


def test_filter_order_lowercase_words_proclitic_stop_then_stem() -> None:
    chain = LIGHT["filter"]
    n_words = len(chain) - 3 - len(STEMMER)
    assert chain[0] == "lowercase"
    assert chain[1 + n_words : 3 + n_words] == ["arabic_proclitic", "arabic_stop"]
    words, stems = chain[1 : 1 + n_words], chain[3 + n_words :]
    # Queries are analysed by the same chain without the proclitic split.
    assert LIGHT_SEARCH["filter"] == [f for f in chain if f != "arabic_proclitic"]
    assert ANALYSIS["filter"]["arabic_proclitic"]["preserve_original"] is True
    # Every Uthmani word rule, as an anchored whole-token rewrite that keeps the proclitics and
    # enclitics around the word (كذٰلك, ذٰلكم), between lowercase and the proclitic split.
    rewrites = _rewrites(words)
    assert {word: _rewritten(word, rewrites) for word in WORDS} == WORDS
    assert all(pattern.startswith("^") and pattern.endswith("$") for pattern in rewrites)
    # The stemmer's rules, in order, with Java's `$1`.
    assert [
        (ANALYSIS["filter"][n]["pattern"], ANALYSIS["filter"][n]["replacement"]) for n in stems
    ] == STEMMER
    _rewrites(stems)


def test_the_exact_analyzer_neither_stops_nor_stems() -> None:
    light = LIGHT["filter"]
    assert EXACT["filter"] == light[: light.index("arabic_proclitic")]


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


def test_switching_every_char_rule_off_drops_the_char_filters() -> None:
    char_rules = {rule.name for rule in RULES if rule.kind in ("pattern", "char", "sequence")}
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
    for field in ("title", "body"):
        assert properties[field]["search_analyzer"] == "arabic_light_search"
    # BM25 counts stacked proclitic tokens in a field's length, as tantivy does.
    assert body["settings"]["index"] == {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "similarity": {"default": {"type": "BM25", "discount_overlaps": False}},
    }
