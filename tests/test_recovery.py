"""Zero-result recovery on every engine: the strict result first, relaxed ones said so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from searcher import recovery
from searcher.engines import Engine, open_engine
from searcher.query import parse
from searcher.settings import Settings
from tests.test_engines import load_sample, unique

ENGINES = ["embedded", pytest.param("opensearch", marks=pytest.mark.engines)]


@pytest.fixture(scope="module")
def sample(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """(engine, index) with the bundled sample corpus, per engine name."""
    opened: dict[str, tuple[Engine, str]] = {}

    def get(name: str) -> tuple[Engine, str]:
        if name not in opened:
            if name == "embedded":
                settings = Settings(engine="embedded", data_dir=tmp_path_factory.mktemp("e"))
            else:
                settings = Settings(engine="opensearch", url=request.getfixturevalue(f"{name}_url"))
            engine = open_engine(settings)
            index = unique("recovery")
            load_sample(engine, index)
            opened[name] = (engine, index)
        return opened[name]

    yield get
    for engine, index in opened.values():
        if engine.name != "embedded":
            engine.delete_index(index)
        engine.close()


def run(sample, name: str, query: str):
    engine, index = sample(name)
    return recovery.search(engine, index, parse(query, engine.analyzer), size=10)


@pytest.mark.parametrize("name", ENGINES)
def test_a_strict_result_is_never_relaxed(sample, name: str) -> None:
    response = run(sample, name, "بوتين ترامب")
    assert response.total > 0 and not response.relaxed and response.dropped == []


@pytest.mark.parametrize("name", ENGINES)
def test_one_word_in_the_wrong_form_is_dropped_and_said(sample, name: str) -> None:
    # «بوتبن» is a typo: no document holds it, so every word together finds nothing.
    assert run(sample, name, "بوتبن").total == 0
    response = run(sample, name, "بوتين بوتبن")
    alone = run(sample, name, "بوتين")
    assert response.relaxed and response.dropped == ["بوتبن"]
    assert [h.id for h in response.hits] == [h.id for h in alone.hits]


@pytest.mark.parametrize("name", ENGINES)
def test_with_two_words_missing_any_word_counts(sample, name: str) -> None:
    response = run(sample, name, "بوتبن الكرملين ترامبب")
    assert response.relaxed and response.dropped == ["بوتبن", "ترامبب"]
    assert response.total == run(sample, name, "الكرملين").total


@pytest.mark.parametrize("name", ENGINES)
def test_nothing_found_stays_nothing(sample, name: str) -> None:
    response = run(sample, name, "بوتبن ترامبب")
    assert response.total == 0 and not response.relaxed


@pytest.mark.engines
def test_engines_relax_alike(sample, opensearch_url: str) -> None:
    for query in ("بوتين بوتبن", "بوتبن الكرملين ترامبب", "الرحمن الرحيم مدرسسة"):
        embedded, cluster = run(sample, "embedded", query), run(sample, "opensearch", query)
        assert (embedded.total, embedded.dropped) == (cluster.total, cluster.dropped)
        assert embedded.hits[0].id == cluster.hits[0].id
