"""The Elasticsearch test node's own analysis module (scripts/es-test-analysis/) against the real
thing: every type it registers must analyse like OpenSearch's analysis-common, token for token
(terms, offsets, positions), on real Arabic text.  Both wrap the same Lucene classes; this proves
the settings reach them the same way."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

from searcher.engines import Engine
from tests.conftest import fixture_lines

pytestmark = pytest.mark.engines

MODULE = "searcher-test-analysis"
LINES = fixture_lines("news_ar.txt")[:12] + fixture_lines("quran_sample.txt")[:12]

# One inline analysis chain per registered type, with the settings the type reads.
CHAINS: dict[str, dict[str, Any]] = {
    "mapping": {
        "char_filter": [
            {"type": "mapping", "mappings": ["\\u0623=>\\u0627", "\\u064E=>", "ٱ => ا", "ة=>ه"]}
        ],
        "tokenizer": "standard",
    },
    "pattern_replace_chars": {
        "char_filter": [
            {"type": "pattern_replace", "pattern": "(?<=\\p{L})ـ+(?=\\p{L})", "replacement": ""},
            {"type": "pattern_replace", "pattern": "ال(\\p{L})", "replacement": "ال $1"},
        ],
        "tokenizer": "standard",
    },
    "pattern": {"tokenizer": {"type": "pattern", "pattern": "\\s+"}},  # punctuation kept
    "pattern_group": {"tokenizer": {"type": "pattern", "pattern": "ال(\\p{L}+)", "group": 1}},
    "pattern_flags": {  # COMMENTS: the blanks and the comment are not part of the pattern
        "tokenizer": {
            "type": "pattern",
            "pattern": "\\s+ | ال  # blanks or the article",
            "flags": "COMMENTS",
        }
    },
    "pattern_replace": {
        "tokenizer": "standard",
        "filter": [
            {"type": "pattern_replace", "pattern": "^(ال|وال)(.{3,})$", "replacement": "$2"}
        ],
    },
    "pattern_replace_first": {
        "tokenizer": "standard",
        "filter": [{"type": "pattern_replace", "pattern": "ا", "replacement": "_", "all": False}],
    },
    "pattern_capture": {
        "tokenizer": "standard",
        "filter": [
            {
                "type": "pattern_capture",
                "patterns": ["^(?:وال|ال|و)(\\p{L}{3,})$", "^(\\p{L}{3,})(?:ات|ون|ين)$"],
                "preserve_original": True,
            }
        ],
    },
    "pattern_capture_alone": {
        "tokenizer": "standard",
        "filter": [
            {"type": "pattern_capture", "patterns": ["^ال(\\p{L}+)$"], "preserve_original": False}
        ],
    },
    "stemmer_override": {
        "tokenizer": "standard",
        "filter": [
            {
                "type": "stemmer_override",
                "rules": ["المحادثات, محادثات => محادثه", "الرئيس => رئيس"],
            }
        ],
    },
}


def analyze(engine: Engine, chain: dict[str, Any], text: str) -> list[tuple]:
    body = {**chain, "text": text}
    tokens = engine.client.indices.analyze(body=body)["tokens"]  # type: ignore[attr-defined]
    return [(t["token"], t["start_offset"], t["end_offset"], t["position"]) for t in tokens]


def test_the_node_loaded_the_module(elasticsearch_url: str) -> None:
    with urllib.request.urlopen(f"{elasticsearch_url}/_nodes/plugins") as response:
        nodes = json.load(response)["nodes"].values()
    assert all(MODULE in [m["name"] for m in node["modules"]] for node in nodes)


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_each_type_analyses_like_analysis_common(
    elasticsearch: Engine, opensearch: Engine, chain: str
) -> None:
    differ = [
        line
        for line in LINES
        if analyze(elasticsearch, CHAINS[chain], line) != analyze(opensearch, CHAINS[chain], line)
    ]
    assert differ == []
    # The chain does something on this text (a check that cannot fail proves nothing).
    plain = {"tokenizer": "standard"}
    assert any(
        analyze(elasticsearch, CHAINS[chain], line) != analyze(elasticsearch, plain, line)
        for line in LINES
    )


def test_preserve_original_keeps_the_word_beside_its_captures(elasticsearch: Engine) -> None:
    tokens = analyze(elasticsearch, CHAINS["pattern_capture"], "والمحادثات")
    # The word itself, then each pattern's capture, all at the word's own position.
    assert [(t[0], t[3]) for t in tokens] == [
        ("والمحادثات", 0),
        ("والمحادث", 0),
        ("محادثات", 0),
    ]


def test_unsupported_settings_are_refused_not_ignored(elasticsearch: Engine) -> None:
    chain = {"tokenizer": "standard", "filter": [{"type": "stemmer_override", "rules_path": "x"}]}
    with pytest.raises(Exception, match="rules_path"):
        analyze(elasticsearch, chain, "نص")
