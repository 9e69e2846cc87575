"""The engine index template (settings + mappings), GENERATED from the Arabic rule table.

The checked-in copy is ``mappings/arabic-index.json`` (default rules); engines build the body
from the running analyzer, so switched-off rules reach the engine too.  Regenerate with
``python -m searcher.engines.template`` — tests/test_template.py fails when the two drift.

The analysis chain mirrors `searcher.arabic.analyse` step for step:

    arabic_pattern_* (pattern_replace char filters: pattern rules, length kept)
    → arabic_rules (mapping char filter: sequence + char rules)
    → arabic_words (pattern tokenizer: runs of letters, digits, marks)
    → lowercase → uthmani_* (one anchored pattern_replace per word rule)
    → arabic_proclitic (pattern_capture, original kept: لصندوق also as صندوق)  [arabic_light only]
    → arabic_stop → arabic_stem_* (one pattern_replace per stemming rule)  [arabic_light(_search)]
    → arabic_plurals (stemmer_override: plural stem → singular stem; only with a plural table)

`arabic_light` indexes the stemmed fields; `arabic_light_search` analyses queries for them (the
same chain without the proclitic split, as `ArabicAnalyzer.analyse(stack=False)`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import regex

from searcher.arabic import ArabicAnalyzer
from searcher.arabic.analyse import TOKEN_CLASS
from searcher.arabic.stem import PROCLITIC
from searcher.arabic.stem import RULES as STEM_RULES
from searcher.limits import MAX_KEYWORD_CHARS

# The word dictionary's field (`searcher/dictionary.py`): indexed for counting, kept out of
# `_source`, so hits never carry it.
FORMS_FIELD = "searcher_forms"

CHECKED_IN = Path(__file__).resolve().parents[2] / "mappings" / "arabic-index.json"


def _escape(text: str) -> str:
    """Mapping char filter syntax: every character as a \\uXXXX escape (safe for =>, spaces)."""
    return "".join(f"\\u{ord(ch):04X}" for ch in text)


def _pattern_replace(pattern: str, replacement: str) -> dict[str, str]:
    """A `pattern_replace` filter (char or token): Python's ``\\1`` is Java's ``$1``."""
    return {
        "type": "pattern_replace",
        "pattern": pattern,
        "replacement": regex.sub(r"\\(\d)", r"$\1", replacement),
    }


def analysis_settings(analyzer: ArabicAnalyzer) -> dict[str, Any]:
    """The ``settings.analysis`` block for `analyzer`'s enabled rules."""
    mappings = [
        f"{_escape(key)}=>{_escape(out)}" for key, out in sorted(analyzer.mapping().items())
    ]
    char_filter_defs: dict[str, Any] = {}
    for i, (pattern, replacement) in enumerate(analyzer.pattern_rules, start=1):
        char_filter_defs[f"arabic_pattern_{i:02d}"] = _pattern_replace(pattern, replacement)
    if mappings:
        char_filter_defs["arabic_rules"] = {"type": "mapping", "mappings": mappings}
    char_filters = list(char_filter_defs)
    filters: dict[str, Any] = {
        "arabic_stop": {"type": "stop", "stopwords": sorted(analyzer.stop_words)},
    }
    word_filters = []
    for i, (pattern, replacement) in enumerate(analyzer.word_patterns, start=1):
        name = f"uthmani_{i:02d}"
        filters[name] = _pattern_replace(pattern, replacement)
        word_filters.append(name)
    stem_filters = []
    for i, (pattern, replacement) in enumerate(STEM_RULES, start=1):
        name = f"arabic_stem_{i:02d}"
        filters[name] = _pattern_replace(pattern, replacement)
        stem_filters.append(name)
    if analyzer.plural_stems:  # broken plurals, when the user built a table (plurals.py)
        filters["arabic_plurals"] = {
            "type": "stemmer_override",
            "rules": [f"{p} => {s}" for p, s in sorted(analyzer.plural_stems.items())],
        }
        stem_filters.append("arabic_plurals")
    filters["arabic_proclitic"] = {
        "type": "pattern_capture",
        "preserve_original": True,
        "patterns": [PROCLITIC],
    }
    common = ["lowercase"] if "lowercase" not in analyzer.disabled else []
    common += word_filters
    return {
        "char_filter": char_filter_defs,
        "tokenizer": {"arabic_words": {"type": "pattern", "pattern": f"[^{TOKEN_CLASS}]+"}},
        "filter": filters,
        "analyzer": {
            "arabic_light": {
                "type": "custom",
                "char_filter": char_filters,
                "tokenizer": "arabic_words",
                "filter": [*common, "arabic_proclitic", "arabic_stop", *stem_filters],
            },
            "arabic_light_search": {
                "type": "custom",
                "char_filter": char_filters,
                "tokenizer": "arabic_words",
                "filter": [*common, "arabic_stop", *stem_filters],
            },
            "arabic_exact": {
                "type": "custom",
                "char_filter": char_filters,
                "tokenizer": "arabic_words",
                "filter": common,
            },
        },
    }


def _arabic_text() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "arabic_light",
        "search_analyzer": "arabic_light_search",
        "fields": {"exact": {"type": "text", "analyzer": "arabic_exact"}},
    }


def _keyword() -> dict[str, Any]:
    # Longer values are not indexed (they stay in _source), as the embedded engine skips them.
    return {"type": "keyword", "ignore_above": MAX_KEYWORD_CHARS}


def index_body(
    analyzer: ArabicAnalyzer,
    *,
    shards: int = 1,
    replicas: int = 0,
    refresh_interval: str | None = None,
    filterable: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The whole create-index body: the layout (shards, replicas, refresh; the checked-in copy
    has one shard and no replica), the Arabic text fields, and the keyword fields the deployment
    declares filterable (recorded in ``_meta`` for every later process to read)."""
    layout: dict[str, Any] = {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        # Stacked tokens (a proclitic split off) count towards a field's length, as in
        # tantivy, so BM25 ranks alike in every engine.
        "similarity": {"default": {"type": "BM25", "discount_overlaps": False}},
    }
    if refresh_interval is not None:
        layout["refresh_interval"] = refresh_interval
    return {
        "settings": {
            "index": layout,
            "analysis": analysis_settings(analyzer),
        },
        "mappings": {
            # Unknown fields are kept in _source (returned with hits) but not indexed, so a
            # stray field in a dump can never cause a mapping conflict.
            "dynamic": False,
            "_meta": {"searcher": {"filterable": list(filterable)}},
            "_source": {"excludes": [FORMS_FIELD]},
            "properties": {
                "id": {"type": "keyword"},
                "title": _arabic_text(),
                "body": _arabic_text(),
                "url": {"type": "keyword", "index": False},
                "published_at": {"type": "date"},
                "tags": _keyword(),
                **{name: _keyword() for name in filterable},
                FORMS_FIELD: {"type": "keyword", "index": False},
            },
        },
    }


def render(analyzer: ArabicAnalyzer | None = None) -> str:
    """The template as checked in: stable key order, real Arabic letters, trailing newline."""
    body = index_body(analyzer or ArabicAnalyzer())
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    CHECKED_IN.parent.mkdir(exist_ok=True)
    CHECKED_IN.write_text(render(), encoding="utf-8")
    print(f"wrote {CHECKED_IN}")
