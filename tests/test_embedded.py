"""The embedded engine: ranking, user syntax, snippets, persistence and concurrency."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tantivy

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine
from searcher.engines.embedded import EmbeddedEngine
from searcher.errors import IndexLocked, IndexNotFound, SearcherError
from searcher.models import Document
from searcher.query import parse

DOCS = [
    Document(id="quran-2-2", title="البقرة 2:2", body="ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ هُدٗى لِّلۡمُتَّقِينَ"),
    Document(id="school", title="المدرسة الجديدة", body="ذهب أحمد إلى المدرسةِ صباحاً مع أخيه"),
    Document(id="news", title="خبر", body="قال احمد إن الكتاب مفيد للطلاب في المدارس"),
    Document(id="title-hit", title="الكتاب", body="نص قصير عن موضوع آخر"),
    Document(id="xss", title="<b>عنوان</b>", body="<script>alert('الكتاب')</script>"),
]


def search(engine: Engine, text: str, **kwargs: int) -> list[str]:
    return [hit.id for hit in engine.search("t", parse(text, ArabicAnalyzer()), **kwargs).hits]


@pytest.fixture
def loaded(embedded: Engine) -> Engine:
    embedded.create_index("t")
    embedded.bulk("t", DOCS)
    return embedded


def test_quranic_spelling_is_found_by_the_modern_word(loaded: Engine) -> None:
    assert "quran-2-2" in search(loaded, "الكتاب")


def test_hamza_and_ta_marbuta_forms_meet(loaded: Engine) -> None:
    assert set(search(loaded, "احمد")) == {"school", "news"}
    assert search(loaded, "المدرسة") == ["school"]


def test_title_is_boosted_over_body(loaded: Engine) -> None:
    assert search(loaded, "الكتاب")[0] == "title-hit"


def test_phrase_exclusion_and_or(loaded: Engine) -> None:
    assert search(loaded, '"إلى المدرسة"') == ["school"]
    assert search(loaded, '"المدرسة إلى"') == []  # order matters in a phrase
    assert set(search(loaded, "احمد -الكتاب")) == {"school"}
    assert set(search(loaded, "المدرسة OR ريب")) == {"school", "quran-2-2"}
    assert search(loaded, "احمد الكتاب") == ["news"]  # words are AND-ed


def test_stop_word_query_matches_exact_words(loaded: Engine) -> None:
    assert "school" in search(loaded, "إلى")


def test_pagination(loaded: Engine) -> None:
    everything = search(loaded, "الكتاب", size=10)
    assert len(everything) == 4
    pages = search(loaded, "الكتاب", size=2) + search(loaded, "الكتاب", size=2, page=2)
    assert pages == everything
    assert search(loaded, "الكتاب", size=2, page=3) == []


HAS_THE_WORD = {"quran-2-2", "news", "title-hit", "xss"}  # الكتاب as written (ٱلۡكِتَٰبُ too)


@pytest.mark.parametrize(
    ("odd", "expected"),
    [
        # Engine syntax is only text here: *:* matches nothing, not everything.
        *((odd, set()) for odd in ['"', "-", "OR", "OR OR", "((", "*:*", "title:x", "\\"]),
        *((odd, set()) for odd in ["  ", "ـــ", "a" * 5000, '"unbalanced', "-الكتاب"]),
        ('"الكتاب', HAS_THE_WORD),  # an unbalanced quote runs to the end...
        ('"مدرسة', set()),  # ...and still means "as written" (no المدرسة here)...
        ("مدرسة", {"school"}),  # ...where the bare word is stemmed and meets المدرسةِ
        ("الكتاب OR", HAS_THE_WORD),  # a dangling OR is ignored
        ("OR الكتاب", HAS_THE_WORD),
        ("الكتاب -", HAS_THE_WORD),  # so is a lone minus
        ("(الكتاب)", HAS_THE_WORD),  # punctuation is left to the analyzer
    ],
)
def test_odd_input_is_text_never_syntax(loaded: Engine, odd: str, expected: set[str]) -> None:
    response = loaded.search("t", parse(odd, ArabicAnalyzer()))
    assert {hit.id for hit in response.hits} == expected
    assert response.total == len(expected)


def test_snippet_marks_the_original_text(loaded: Engine) -> None:
    response = loaded.search("t", parse("الكتاب", ArabicAnalyzer()))
    hit = next(h for h in response.hits if h.id == "quran-2-2")
    start, end = hit.snippet.marks[0]
    assert hit.snippet.text[start:end] == "ٱلۡكِتَٰبُ"
    assert "<mark>ٱلۡكِتَٰبُ</mark>" in hit.snippet_html


def test_document_text_is_escaped_in_html_snippets(loaded: Engine) -> None:
    response = loaded.search("t", parse("الكتاب", ArabicAnalyzer()))
    hit = next(h for h in response.hits if h.id == "xss")
    assert "<script>" not in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<mark>الكتاب</mark>" in hit.snippet_html


def test_indexing_the_same_id_twice_replaces_it(loaded: Engine) -> None:
    items = loaded.bulk("t", [Document(id="school", title="مدرسة", body="نص جديد تماما")])
    assert items[0].replaced
    assert loaded.count("t") == len(DOCS)
    assert search(loaded, "جديد") == ["school"]
    assert search(loaded, "صباحا") == []


def test_duplicates_inside_one_chunk_keep_the_last(embedded: Engine) -> None:
    embedded.create_index("t")
    items = embedded.bulk("t", [Document(id="1", body="اول"), Document(id="1", body="ثاني")])
    assert [i.replaced for i in items] == [False, True]
    assert embedded.count("t") == 1
    assert search(embedded, "ثاني") == ["1"]


def test_reopening_keeps_documents(tmp_path: Path) -> None:
    first = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    first.create_index("t")
    first.bulk("t", DOCS)
    first.close()
    again = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    assert again.count("t") == len(DOCS)
    assert "quran-2-2" in search(again, "الكتاب")


def test_missing_index_is_a_clear_error(embedded: Engine) -> None:
    with pytest.raises(IndexNotFound, match="searcher index"):
        embedded.search("nope", parse("x", ArabicAnalyzer()))


def test_two_processes_read_at_once(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    engine.create_index("t")
    engine.bulk("t", DOCS)
    engine.close()
    reader = textwrap.dedent(
        f"""
        from searcher.arabic import ArabicAnalyzer
        from searcher.engines.embedded import EmbeddedEngine
        from searcher.query import parse
        engine = EmbeddedEngine({str(tmp_path)!r}, ArabicAnalyzer())
        for _ in range(50):
            hits = engine.search("t", parse("الكتاب", ArabicAnalyzer())).hits
            assert "quran-2-2" in [h.id for h in hits]
        print("ok")
        """
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", reader], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    assert [p.communicate(timeout=60)[0].strip() for p in procs] == ["ok", "ok"]
    assert all(p.returncode == 0 for p in procs)


def test_a_second_writer_gets_a_clear_locked_error(tmp_path: Path) -> None:
    first = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    first.create_index("t")
    first.bulk("t", DOCS[:1])  # holds the writer (and its lock) open
    second = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    with pytest.raises(IndexLocked, match="another process"):
        second.bulk("t", DOCS[1:2])
    first.close()
    second.bulk("t", DOCS[1:2])  # free again once the first writer is gone
    assert second.count("t") == 2


def test_an_index_built_with_other_rules_is_refused(tmp_path: Path) -> None:
    EmbeddedEngine(tmp_path, ArabicAnalyzer(disabled={"digits"})).create_index("t")
    with pytest.raises(Exception, match="SEARCHER_ARABIC_DISABLE"):
        EmbeddedEngine(tmp_path, ArabicAnalyzer()).count("t")


def _schema_4() -> tantivy.Schema:
    """The schema searcher wrote as version 4: every text field with positions (version 5 keeps
    them on the exact fields only), keyword fields, the date and the word dictionary."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for name in ("title", "body", "title_exact", "body_exact"):
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("tags", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_text_field("forms", tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("source", stored=True, indexed=False)
    return builder.build()


def test_an_index_of_the_previous_schema_asks_for_a_reindex(tmp_path: Path) -> None:
    path = tmp_path / "indices" / "t"
    path.mkdir(parents=True)
    settings = {"schema_version": 4, "arabic_disable": [], "plurals": "", "filterable": []}
    (path / "searcher.json").write_text(json.dumps(settings))
    old = tantivy.Index(_schema_4(), str(path), reuse=True)
    writer = old.writer(15_000_000, 1)
    writer.add_document(tantivy.Document(id="1", body="الكتاب", source=b"{}"))
    writer.commit()
    writer.wait_merging_threads()
    engine = EmbeddedEngine(tmp_path, ArabicAnalyzer())
    with pytest.raises(SearcherError, match=r"schema 4, now \d+.*`searcher reindex`"):
        engine.count("t")
