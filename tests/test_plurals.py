"""Broken plurals: the optional table a user builds from arramooz (GPL-3.0, never committed).

arramooz is fetched at test time (PyPI, pinned by hash, cached in ~/.cache/searcher/bench);
offline on a laptop these tests skip, under CI=true a failed fetch fails them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.corpus import arramooz_nouns
from searcher.arabic import ArabicAnalyzer
from searcher.arabic import plurals as plural_table
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.errors import SearcherError
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url, fixture_lines


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        database = arramooz_nouns()
    except Exception as error:  # a fetch: uv unavailable, no network, ...
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"could not fetch arramooz: {error}")
    out = tmp_path_factory.mktemp("plurals") / "plurals.tsv"
    assert plural_table.write(plural_table.pairs_from_arramooz(database), out) > 4000
    return out


@pytest.fixture(scope="module")
def analyzer(table: Path) -> ArabicAnalyzer:
    return Settings(plurals=table).analyzer()


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("مدارس", "مدرسة"),
        ("والمدارس", "المدرسة"),  # behind the article and و
        ("كتب", "كتاب"),  # كتب is a verb too, rarer than the noun's plural
        ("طلاب", "الطالب"),
        ("رجال", "رجل"),
        ("قلوب", "قلب"),
    ],
)
def test_a_plural_and_its_singular_meet(
    analyzer: ArabicAnalyzer, plural: str, singular: str
) -> None:
    assert analyzer.terms(plural, stack=False) == analyzer.terms(singular, stack=False)
    # ...which they do not without the table.
    plain = ArabicAnalyzer()
    assert plain.terms(plural, stack=False) != plain.terms(singular, stack=False)


@pytest.mark.parametrize(
    "word",
    [
        "أبى",  # refused: أبيات stems to ابي, so that plural is left out
        "الأربعاء",  # Wednesday, not ربيع's plural
        "القيام",  # standing up, not قائم's plural
    ],
)
def test_words_that_only_look_like_plurals_stay(analyzer: ArabicAnalyzer, word: str) -> None:
    assert analyzer.terms(word, stack=False) == ArabicAnalyzer().terms(word, stack=False)


def test_a_bad_table_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "plurals.tsv"
    bad.write_text("مدارس مدرسة\n", encoding="utf-8")
    with pytest.raises(SearcherError, match=r"plurals.tsv:1: expected 'plural<TAB>singular'"):
        plural_table.load(bad)
    with pytest.raises(SearcherError, match="cannot read the plural table"):
        plural_table.load(tmp_path / "missing.tsv")


def test_an_index_built_without_the_table_refuses_it(tmp_path: Path, table: Path) -> None:
    plain = open_engine(Settings(engine="embedded", data_dir=tmp_path))
    plain.create_index("news")
    plain.close()
    with_table = open_engine(Settings(engine="embedded", data_dir=tmp_path, plurals=table))
    with pytest.raises(SearcherError, match="another broken-plural table"):
        with_table.count("news")


# -- the same map in the engine: OpenSearch's stemmer_override ----------------------------------

SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"


def news_paragraphs() -> list[Document]:
    """The bundled news article's paragraphs (real text): news-p5 speaks of «القضايا»."""
    return [doc for _, doc in read(SAMPLE) if isinstance(doc, Document) and "-p" in doc.id]


@pytest.mark.engines
@pytest.mark.parametrize("name", SERVER_ENGINES)
@pytest.mark.parametrize("fixture", ["news_ar.txt", "quran_orthography.txt"])
def test_the_engine_runs_the_plural_map_like_python(
    name: str, table: Path, analyzer: ArabicAnalyzer, fixture: str
) -> None:
    engine = open_engine(Settings(engine=name, url=engine_url(name), plurals=table))
    try:
        lines = fixture_lines(fixture)
        differ = [line for line in lines if engine.analyze(line) != analyzer.tokens(line)]
    finally:
        engine.close()
    assert differ == []


@pytest.mark.engines
def test_singular_finds_plural_on_every_engine(
    table: Path, analyzer: ArabicAnalyzer, tmp_path: Path
) -> None:
    engines: dict[str, Engine] = {
        "embedded": open_engine(Settings(engine="embedded", data_dir=tmp_path, plurals=table)),
        **{
            name: open_engine(Settings(engine=name, url=engine_url(name), plurals=table))
            for name in SERVER_ENGINES
        },
    }
    try:
        for engine in engines.values():
            engine.delete_index("plurals-test")
            engine.create_index("plurals-test")
            engine.bulk("plurals-test", news_paragraphs())
            engine.refresh("plurals-test")
        for query in ("قضية", "تفصيل"):  # the text has القضايا, التفاصيل
            found = {
                name: [hit.id for hit in e.search("plurals-test", parse(query, analyzer)).hits]
                for name, e in engines.items()
            }
            assert found["embedded"] == found["elasticsearch"] == found["opensearch"] != [], query
    finally:
        for name in SERVER_ENGINES:
            engines[name].delete_index("plurals-test")
        for engine in engines.values():
            engine.close()
