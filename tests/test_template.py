"""The engine template is generated from the rule table and checked in; they must not drift."""

from __future__ import annotations

import json

from searcher.arabic import ArabicAnalyzer
from searcher.engines import template


def test_checked_in_template_matches_the_rule_table() -> None:
    assert template.CHECKED_IN.read_text(encoding="utf-8") == template.render(), (
        "mappings/arabic-index.json is stale: run `python -m searcher.engines.template`"
    )


def _decode(escaped: str) -> str:
    return escaped.encode("ascii").decode("unicode_escape")


def test_every_char_rule_reaches_the_mapping_char_filter() -> None:
    # The template's char filter against what the Python analysis DOES to every code point
    # (executed, not read from the same table): the same keys, the same final outputs.
    analyzer = ArabicAnalyzer()
    body = json.loads(template.render(analyzer))
    lines = body["settings"]["analysis"]["char_filter"]["arabic_rules"]["mappings"]
    engine = dict(_decode(line).split("=>") for line in lines)
    changed = {}
    for cp in range(0x10000):
        ch = chr(cp)
        if not 0xD800 <= cp <= 0xDFFF and analyzer.normalise(ch) != ch.lower():
            changed[ch] = analyzer.normalise(ch)
    assert {ch: out for ch, out in engine.items() if len(ch) == 1} == changed
    for key, out in engine.items():  # sequences too: what Python makes of the whole key
        assert analyzer.normalise(key) == out, key


def test_switched_off_rules_leave_the_template() -> None:
    body = template.index_body(ArabicAnalyzer(disabled={"hamza_carriers", "uthmani_words"}))
    analysis = body["settings"]["analysis"]
    assert "\\u0624=>\\u0621" not in analysis["char_filter"]["arabic_rules"]["mappings"]
    assert not any(name.startswith("uthmani_") for name in analysis["filter"])


def test_stop_words_are_in_normalised_form() -> None:
    stop = template.index_body(ArabicAnalyzer())["settings"]["analysis"]["filter"]["arabic_stop"]
    assert "الي" in stop["stopwords"]  # إلى as the stop filter sees it
    assert "إلى" not in stop["stopwords"]
