"""Odd document text on every engine: a body over a million characters, private-use characters.

A body longer than the engines' highlighting limit (1,000,000 characters) used to break every
search that matched it (`search_phase_execution_exception`, a 503 from the API).  Private-use
characters (U+E000–U+F8FF, which legacy Arabic and Quranic fonts use for glyphs and verse
markers) collided with the highlight tags: unrelated searches "marked" them, dropped them from
the snippet and produced empty marks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.limits import HIGHLIGHT_MAX_ANALYZED_CHARS
from searcher.models import Document
from searcher.query import parse
from tests.conftest import SERVER_ENGINES, cluster_settings

ANALYZER = ArabicAnalyzer()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=["embedded", *SERVER_ENGINES])
def any_engine(request: pytest.FixtureRequest, embedded: Engine) -> Iterator[Engine]:
    if request.param == "embedded":
        yield embedded
        return
    request.applymarker(pytest.mark.engines)
    engine = open_engine(cluster_settings(request.param))
    yield engine
    engine.close()


def load(engine: Engine, docs: list[Document]) -> str:
    index = unique("odd")
    engine.create_index(index)
    assert all(item.ok for item in engine.bulk(index, docs))
    engine.refresh(index)
    return index


# -- a body over a million characters -------------------------------------------------------------

FILLER = "وتحدث الناس في السوق عن المطر والحصاد "


@pytest.mark.engines
def test_a_body_over_a_million_characters_is_found_and_highlighted_where_analysed(
    cluster: Engine,
) -> None:
    opening = "في البدء قرأ أحمد الكتاب كله. "
    body = opening + FILLER * (1_200_000 // len(FILLER)) + " الخاتمة"
    assert len(body) > 1_000_000
    index = load(cluster, [Document(id="long", body=body), Document(id="short", body="كتاب")])
    try:
        early = cluster.search(index, parse("الكتاب", ANALYZER))
        hit = next(h for h in early.hits if h.id == "long")
        (start, end), *_ = hit.snippet.marks
        assert hit.snippet.text[start:end] == "الكتاب"
        assert hit.snippet.text.startswith(opening[:10])
        # A word only past the analysed part: found (it is indexed), the snippet comes from the
        # analysed part, unmarked, instead of an error.
        late = cluster.search(index, parse("الخاتمة", ANALYZER))
        assert [h.id for h in late.hits] == ["long"]
        assert late.hits[0].snippet.marks == []
        assert late.hits[0].snippet.text.startswith(opening[:10])
        assert body.index("الخاتمة") > HIGHLIGHT_MAX_ANALYZED_CHARS
    finally:
        cluster.delete_index(index)


# -- private-use characters -----------------------------------------------------------------------

PUA_BODY = "قرأت \ue000 الكتاب\uf8ff المفيد \ue001 في الصباح \ue000\ue001"


def test_private_use_characters_separate_words() -> None:
    tokens = ANALYZER.tokens("الكتاب\ue000المفيد\uf8ffجدا", stemmed=False)
    assert [t.term for t in tokens] == ["الكتاب", "المفيد", "جدا"]


@pytest.mark.engines
def test_the_engine_analysis_of_private_use_characters_matches_python(cluster: Engine) -> None:
    for text in ("الكتاب\ue000المفيد\uf8ffجدا", PUA_BODY):
        for stemmed in (True, False):
            assert cluster.analyze(text, stemmed=stemmed) == ANALYZER.tokens(text, stemmed=stemmed)


@pytest.mark.parametrize(("query", "word"), [("الكتاب", "الكتاب"), ("الصباح", "الصباح")])
def test_private_use_characters_leave_the_snippet_exact(
    any_engine: Engine, query: str, word: str
) -> None:
    index = load(any_engine, [Document(id="pua", title="عنوان", body=PUA_BODY)])
    try:
        (hit,) = any_engine.search(index, parse(query, ANALYZER)).hits
        assert hit.snippet.text == PUA_BODY  # every private-use character still there
        start = PUA_BODY.index(word)
        assert hit.snippet.marks == [(start, start + len(word))]
        assert f"<mark>{word}</mark>" in hit.snippet_html
    finally:
        any_engine.delete_index(index)


def test_noncharacters_never_reach_an_engine() -> None:
    # U+FDD0..U+FDEF and U+xFFFE/U+xFFFF are Unicode's "internal use" code points: the engines'
    # highlight tags.  Text never needs them; a document loses them like control characters.
    doc = Document(id="n", title="عنوان\ufdd0", body="نص\ufdd1 فيه\ufffe\U0010ffff")
    assert (doc.title, doc.body) == ("عنوان", "نص فيه")
