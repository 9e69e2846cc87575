"""Zero-result recovery and vocalised queries on every engine, which must behave alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from searcher import dictionary, recovery, typos, vocalised
from searcher.arabic import ArabicAnalyzer
from searcher.query import parse
from tests.conftest import SERVER_ENGINES, loaded_engines
from tests.test_engines import load_sample

ENGINES = ["embedded", *(pytest.param(name, marks=pytest.mark.engines) for name in SERVER_ENGINES)]


@pytest.fixture(scope="module")
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """(engine, index) with the bundled sample corpus, per engine name."""
    yield from loaded_engines(request, tmp_path_factory, load_sample)


def run(sample, name: str, query: str):
    engine, index = sample(name)
    return recovery.search(engine, index, parse(query, engine.analyzer), size=10)


@pytest.mark.parametrize("name", ENGINES)
def test_a_strict_result_is_never_relaxed(sample, name: str) -> None:
    response = run(sample, name, "بوتين ترامب")
    assert response.total > 0 and not response.relaxed and response.dropped == []


# «زخرفش» and «قلمبوظ» are no words at all: no document holds them, and no word of the corpus
# is a typo away from them (typos.py), so only leaving them out finds anything.
NOT_WORDS = ("زخرفش", "قلمبوظ")


def test_the_made_up_words_have_no_close_spelling(sample) -> None:
    engine, index = sample("embedded")
    words = dictionary.of(engine, index)
    for word in NOT_WORDS:
        assert words.documents(word) == 0 and typos.spellings(words, word) == []


@pytest.mark.parametrize("name", ENGINES)
def test_one_word_in_the_wrong_form_is_dropped_and_said(sample, name: str) -> None:
    assert run(sample, name, "زخرفش").total == 0
    response = run(sample, name, "بوتين زخرفش")
    alone = run(sample, name, "بوتين")
    assert response.relaxed and response.dropped == ["زخرفش"]
    assert [h.id for h in response.hits] == [h.id for h in alone.hits]


@pytest.mark.parametrize("name", ENGINES)
def test_with_two_words_missing_any_word_counts(sample, name: str) -> None:
    response = run(sample, name, "زخرفش الكرملين قلمبوظ")
    assert response.relaxed and response.dropped == ["زخرفش", "قلمبوظ"]
    assert response.total == run(sample, name, "الكرملين").total


@pytest.mark.parametrize("name", ENGINES)
def test_nothing_found_stays_nothing(sample, name: str) -> None:
    response = run(sample, name, "زخرفش قلمبوظ")
    assert response.total == 0 and not response.relaxed and not response.corrected


@pytest.mark.parametrize("name", ENGINES)
def test_a_typo_is_corrected_before_any_word_is_dropped(sample, name: str) -> None:
    # «بوتبن» and «ترامبب» are typos (one letter replaced, one added) of «بوتين» and «ترامب».
    response = run(sample, name, "بوتبن الكرملين ترامبب")
    assert response.corrected and not response.relaxed and response.dropped == []
    assert response.did_you_mean == "بوتين الكرملين ترامب"
    meant = run(sample, name, "بوتين الكرملين ترامب")
    assert response.total == meant.total > 0
    assert {h.id for h in response.hits} == {h.id for h in meant.hits}


@pytest.mark.parametrize("name", ENGINES)
def test_a_typo_the_relaxing_keeps_is_still_tolerated(sample, name: str) -> None:
    # «بوتبن» has a close spelling, «زخرفش» none: left out as typed, neither finds anything;
    # left out with their close spellings, «زخرفش» goes and the typo still finds بوتين.
    response = run(sample, name, "بوتبن زخرفش")
    assert response.relaxed and response.dropped == ["زخرفش"]
    assert response.corrected and response.did_you_mean is None  # no one spelling to offer
    assert response.total == run(sample, name, "بوتين").total


@pytest.mark.engines
@pytest.mark.parametrize("server", SERVER_ENGINES)
def test_engines_recover_alike(sample, server: str) -> None:
    for query in (
        "بوتين زخرفش",
        "زخرفش الكرملين قلمبوظ",
        "الرحمن الرحيم مدرسسة",
        "بوتين بوتبن",
        "بوتبن الكرملين ترامبب",
        "بوتبن زخرفش",
    ):
        embedded, cluster = run(sample, "embedded", query), run(sample, server, query)
        seen = [(r.total, r.dropped, r.corrected, r.did_you_mean) for r in (embedded, cluster)]
        assert seen[0] == seen[1], query
        assert embedded.hits[0].id == cluster.hits[0].id, query


# -- vocalised queries: the reader's diacritics order the results --------------------------------


def ranked(sample, name: str, query: str) -> list[str]:
    engine, index = sample(name)
    plan = parse(query, engine.analyzer)
    return [h.id for h in vocalised.search(engine, index, plan, engine.analyzer, size=10).hits]


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("عَلَّمَ", "quran-2-31"),  # «وَعَلَّمَ ءَادَمَ» (he taught), not عِلۡمَ (knowledge)
        ("عِلْم", "quran-2-32"),  # knowledge: 2:32 and 67:26 agree, 2:31 does not
        ("مُلْك", "quran-67-1"),  # «بِيَدِهِ ٱلۡمُلۡكُ» (dominion), not مَلِكِ (king)
        ("مَلِك", "quran-114-2"),  # «مَلِكِ ٱلنَّاسِ» (king)
    ],
)
def test_documents_whose_vocalisation_agrees_come_first(
    sample,
    name: str,
    query: str,
    first: str,
) -> None:
    bare = ranked(sample, name, vocalised_off(query))
    assert ranked(sample, name, query)[0] == first
    assert sorted(ranked(sample, name, query)) == sorted(bare)  # the same documents, re-ordered


@pytest.mark.parametrize("name", ENGINES)
def test_unvocalised_queries_rank_as_the_engine_does(sample, name: str) -> None:
    engine, index = sample(name)
    plan = parse("ملك", engine.analyzer)
    plain = [h.id for h in engine.search(index, plan, size=10).hits]
    assert ranked(sample, name, "ملك") == plain


def test_partial_vocalisation_agrees_with_a_fuller_one() -> None:
    analyzer = ArabicAnalyzer()
    typed = vocalised.vocalisation("عِلم", analyzer)
    assert vocalised.agrees(typed, vocalised.vocalisation("ٱلۡعِلۡمُ", analyzer))
    assert not vocalised.agrees(typed, vocalised.vocalisation("وَعَلَّمَ", analyzer))


def vocalised_off(text: str) -> str:
    return "".join(ch for ch in text if not "\u064b" <= ch <= "\u0652")
