"""The same query marks the same words on all three engines.

Elasticsearch marks a matched phrase as one span and OpenSearch word by word; the embedded engine
used to mark a phrase's words wherever they occurred.  Now every engine marks a word wherever it
occurs and a phrase only where its words stand side by side, one mark per word, and cuts the same
window (`snippets.window`) around them: snippet text and marks are equal, hit for hit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.models import Document, SearchResponse
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES

pytestmark = pytest.mark.engines

SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"
ANALYZER = ArabicAnalyzer()
README_QUERY = 'أحمد "إلى المدرسة" -رياضة'  # the README's example
# The README's example sentence, beside the sample corpus's news and Quranic text: «إلى» and
# «المدرسة» also occur outside the phrase, where no engine may mark them.
SCHOOL = [
    Document(id="school-1", body="ذهب أَحْمَدُ إلى المدرسةِ صباحا، ثم عاد إلى البيت. المدرسة قريبة"),
    Document(id="school-2", body="ذهب أحمد إلى المدرسة ثم إلى نادي رياضة"),
]
QUERIES = [
    README_QUERY,
    'ترامب "الرئيس الروسي"',  # a phrase and a word, in the news text
    '"إلى موسكو" -كييف',  # a phrase that starts with a stop word
    '"رب العالمين" الحمد',  # Uthmani text: «رَبِّ ٱلۡعَٰلَمِينَ»
    "الكتاب OR المحادثات",
    '"الرئيس"',  # a quoted single word: the exact form only
]


@pytest.fixture(scope="module")
def engines(
    elasticsearch: Engine, opensearch: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, Engine]]]:
    docs = [doc for _, doc in read(SAMPLE) if isinstance(doc, Document)] + SCHOOL
    embedded = open_engine(Settings(engine="embedded", data_dir=tmp_path_factory.mktemp("hl")))
    index = f"highlight-{uuid.uuid4().hex[:8]}"
    every = {"embedded": embedded, "elasticsearch": elasticsearch, "opensearch": opensearch}
    for engine in every.values():
        engine.create_index(index)
        assert all(item.ok for item in engine.bulk(index, docs))
        engine.refresh(index)
    yield index, every
    for name in SERVER_ENGINES:
        every[name].delete_index(index)
    embedded.close()


def snippets(response: SearchResponse) -> dict[str, tuple[str, list[tuple[int, int]]]]:
    return {hit.id: (hit.snippet.text, hit.snippet.marks) for hit in response.hits}


@pytest.mark.parametrize("query", QUERIES)
def test_every_engine_marks_the_same_words(
    engines: tuple[str, dict[str, Engine]], query: str
) -> None:
    index, every = engines
    plan = parse(query, ANALYZER)
    found = {name: engine.search(index, plan, size=50) for name, engine in every.items()}
    assert found["embedded"].total > 0
    assert {r.total for r in found.values()} == {found["embedded"].total}
    expected = snippets(found["embedded"])
    for name in SERVER_ENGINES:
        assert snippets(found[name]) == expected, name
    assert all(marks for _, marks in expected.values()), "a hit without a mark"


def test_a_phrase_is_marked_only_where_it_stands(engines: tuple[str, dict[str, Engine]]) -> None:
    index, every = engines
    for name, engine in every.items():
        (hit,) = engine.search(index, parse(README_QUERY, ANALYZER)).hits
        marked = [hit.snippet.text[s:e] for s, e in hit.snippet.marks]
        # «أَحْمَدُ», then the phrase word by word; not the later «إلى» nor «المدرسة».
        assert marked == ["أَحْمَدُ", "إلى", "المدرسةِ"], name
