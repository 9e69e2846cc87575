"""Documents built to hurt: one huge field, a flood of unique giant tokens, deep nesting.

Each of these once stalled or aborted a whole run (issue #9, items 5, 6 and 8).  Nothing here
asserts a wall-clock time: work is measured by what is analysed, counted in trace events, or
held in memory (tracemalloc), all of which are the same on any machine.
"""

from __future__ import annotations

import json
import random
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher import snippets
from searcher.arabic import ArabicAnalyzer
from searcher.cli import EXIT_REJECTS, main
from searcher.engines import Engine
from searcher.limits import HIGHLIGHT_MAX_ANALYZED_CHARS, MAX_RECORD_DEPTH
from searcher.models import Document, Snippet
from searcher.query import parse

WORD = "المدرسةِ"


# -- item 5: one long document must not stall searches ------------------------------------------


def _reference_window(text: str, spans: list[tuple[int, int]], max_chars: int) -> Snippet:
    """The window as first written (quadratic in the number of spans): the new one must agree."""
    spans = sorted(spans)
    if len(text) <= max_chars:
        return Snippet(text=text, marks=spans)
    start = best = 0
    if spans:
        best, best_count = spans[0][0], 0
        for i, (first, _) in enumerate(spans):
            count = sum(1 for s, e in spans[i:] if e <= first + max_chars)
            if count > best_count:
                best, best_count = first, count
        start = max(0, best - max_chars // 4)
    end = min(len(text), start + max_chars)
    # (As fixed since: the first word is whole when the window opens before a later cluster.)
    if start > 0 and text[start - 1] != " ":
        space = text.find(" ", start, best)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    marks = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return Snippet(text=prefix + text[start:end] + suffix, marks=marks)


@pytest.mark.parametrize("seed", range(30))
def test_window_agrees_with_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    words = [
        rng.choice(["كتاب", "قلم", "مدرسة", "ولد", "الكتابة"]) for _ in range(rng.randint(5, 400))
    ]
    text = " ".join(words)
    spans, cursor = [], 0
    for word in words:
        if word == "كتاب" or (word == "الكتابة" and rng.random() < 0.5):
            spans.append((cursor, cursor + len(word)))
        cursor += len(word) + 1
    for max_chars in (40, 80, 220):
        assert snippets.window(text, spans, max_chars) == _reference_window(text, spans, max_chars)


def _line_events(function, *args) -> int:  # type: ignore[no-untyped-def]
    """How many lines of `snippets.py` run for one call: a count of work, not of seconds."""
    count = 0
    target = snippets.__file__

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if frame.f_code.co_filename == target:
            count += 1
            return tracer
        return None

    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def test_window_work_grows_linearly_with_the_number_of_matches() -> None:
    def marks(n: int) -> tuple[str, list[tuple[int, int]]]:
        text = " ".join([WORD] * n)
        step = len(WORD) + 1
        return text, [(i * step, i * step + len(WORD)) for i in range(n)]

    small = _line_events(snippets.window, *marks(500))
    large = _line_events(snippets.window, *marks(2000))
    # Linear work quadruples for 4x the matches; the old window's nested count grew 16x.
    assert large / small < 5, (small, large)


def test_snippets_analyse_only_the_first_part_of_a_huge_field() -> None:
    analyzer = ArabicAnalyzer()
    filler = "نص " * (HIGHLIGHT_MAX_ANALYZED_CHARS // 3 + 10)
    body = filler + "الكتاب في آخر النص"
    snippet = snippets.python_snippet(analyzer, "", body, parse("الكتاب", analyzer))
    assert snippet.marks == []  # the only match lies past the analysed part
    assert snippet.text.startswith("نص نص")

    early = "الكتاب " + filler
    snippet = snippets.python_snippet(analyzer, "", early, parse("الكتاب", analyzer))
    start, end = snippet.marks[0]
    assert snippet.text[start:end] == "الكتاب"


def _single_word_document(doc_id: str, chars: int) -> Document:
    return Document(id=doc_id, title="", body=" ".join([WORD] * (chars // (len(WORD) + 1))))


def test_a_one_megabyte_single_word_document_is_found_with_a_snippet(embedded: Engine) -> None:
    normal = Document(id="normal", title="مدرسة", body="ذهب أحمد إلى المدرسة صباحا")
    for index, chars in (("big", 2 * HIGHLIGHT_MAX_ANALYZED_CHARS), ("huge", 1_000_000)):
        embedded.create_index(index)
        embedded.bulk(index, [_single_word_document("long", chars), normal])
        embedded.refresh(index)
    plan = parse("المدرسة", ArabicAnalyzer())
    response = embedded.search("huge", plan)
    assert {hit.id for hit in response.hits} == {"long", "normal"}
    hit = next(hit for hit in response.hits if hit.id == "long")
    assert hit.snippet.marks and all(hit.snippet.text[s:e] == WORD for s, e in hit.snippet.marks)
    # Snippet work is bounded by the analysed part, not by the document: a 1 MB document costs
    # what a 200 KB one does.  (Unbounded and quadratic, it took 12.7 s of CPU per search.)
    big, huge = (
        _line_events(embedded.search, "big", plan),
        _line_events(embedded.search, "huge", plan),
    )
    assert huge / big < 1.2, (big, huge)


# -- item 6: the analyzer's word cache is bounded by size, not only by entries ------------------


def test_unique_giant_tokens_do_not_pile_up_in_the_word_cache() -> None:
    analyzer = ArabicAnalyzer()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        for i in range(30):
            giant = chr(0x0628 + i % 20) * 200_000 + str(i)  # one 200k-letter "word" each
            analyzer.term_lists(giant)
            del giant
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 30 distinct 200k-character tokens: kept (with their analysed forms), over 40 MB.
    assert held - baseline < 8_000_000, f"{(held - baseline) / 1e6:.1f} MB retained"
    # Ordinary words are still cached (the cache exists to make indexing fast).
    analyzer.term_lists("ذهب الطلاب إلى المدرسة")
    assert analyzer.term_lists("المدرسة") == (["مدرس"], ["المدرسه"])


# -- item 8: a deeply nested record is one reject, the rest lands ------------------------------


@pytest.mark.parametrize("depth", [254, 300, 1000])
def test_a_deeply_nested_record_is_rejected_with_its_line(tmp_path: Path, depth: int) -> None:
    records = [
        '{"id": "before", "body": "نص قبل"}',
        '{"id": "deep", "body": "نص", "extra": ' + "[" * depth + "]" * depth + "}",
        '{"id": "after", "body": "نص بعد"}',
    ]
    dump = tmp_path / "deep.jsonl"
    dump.write_text("\n".join(records) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    data = str(tmp_path / "data")
    result = CliRunner().invoke(
        main, ["index", str(dump), "--data-dir", data, "--rejects", str(rejects), "--json"]
    )
    assert result.exit_code == EXIT_REJECTS, result.output
    assert (json.loads(result.stdout)["indexed"], json.loads(result.stdout)["rejected"]) == (2, 1)
    (kept,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert kept["line"] == 2
    assert "nested" in kept["reason"] and str(MAX_RECORD_DEPTH) in kept["reason"]
    found = CliRunner().invoke(main, ["search", "نص", "--data-dir", data, "--json"])
    assert {h["id"] for h in json.loads(found.stdout)["hits"]} == {"before", "after"}


def test_nesting_up_to_the_limit_is_kept_and_one_more_level_is_not() -> None:
    nested: object = "leaf"
    for _ in range(MAX_RECORD_DEPTH):
        nested = [nested]
    doc = Document.model_validate({"id": "ok", "body": "نص", "extra": nested})
    assert doc.source()["extra"] == nested
    with pytest.raises(ValueError, match="nested more than"):
        Document.model_validate({"id": "deep", "body": "نص", "extra": {"x": nested}})
