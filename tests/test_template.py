"""The engine template is generated from the rule table and checked in; they must not drift."""

from __future__ import annotations

import json

from searcher.arabic import ArabicAnalyzer
from searcher.engines import template


def test_checked_in_template_matches_the_rule_table() -> None:
    assert template.CHECKED_IN.read_text(encoding="utf-8") == template.render(), (
        "mappings/arabic-index.json is stale: run `python -m searcher.engines.template`"
    )


def test_every_char_rule_reaches_the_mapping_char_filter() -> None:
    analyzer = ArabicAnalyzer()
    body = json.loads(template.render(analyzer))
    mappings = body["settings"]["analysis"]["char_filter"]["arabic_rules"]["mappings"]
    assert len(mappings) == len(analyzer.mapping())
    # ٱ (alef wasla) → ا, written as escapes the engine parses.
    assert "\\u0671=>\\u0627" in mappings


def test_switched_off_rules_leave_the_template() -> None:
    body = template.index_body(ArabicAnalyzer(disabled={"hamza_carriers", "uthmani_words"}))
    analysis = body["settings"]["analysis"]
    assert "\\u0624=>\\u0621" not in analysis["char_filter"]["arabic_rules"]["mappings"]
    assert not any(name.startswith("uthmani_") for name in analysis["filter"])


def test_stop_words_are_in_normalised_form() -> None:
    stop = template.index_body(ArabicAnalyzer())["settings"]["analysis"]["filter"]["arabic_stop"]
    assert "الي" in stop["stopwords"]  # إلى as the stop filter sees it
    assert "إلى" not in stop["stopwords"]
