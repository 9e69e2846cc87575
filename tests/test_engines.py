"""Elasticsearch and OpenSearch for real: nodes started by scripts/nodes.py.

OpenSearch carries the analysis-common module, so it runs the production Arabic template:
parity with Python, cross-engine rankings and zero-downtime reindex are proved there.
Elasticsearch's Maven distribution lacks that module, so it proves the client path (bulk,
replace, search, highlight, aliases, errors) with `engine_analysis="builtin"`.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.engines.template import CHECKED_IN
from searcher.errors import EngineUnavailable, SearcherError
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from searcher.reindex import Checkpoint, reindex
from searcher.settings import Settings
from tests.conftest import fixture_lines

pytestmark = pytest.mark.engines

SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"
ANALYZER = ArabicAnalyzer()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def opensearch(opensearch_url: str) -> Iterator[Engine]:
    engine = open_engine(Settings(engine="opensearch", url=opensearch_url))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def elasticsearch(elasticsearch_url: str) -> Iterator[Engine]:
    settings = Settings(engine="elasticsearch", url=elasticsearch_url, engine_analysis="builtin")
    engine = open_engine(settings)
    yield engine
    engine.close()


def load_sample(engine: Engine, index: str) -> None:
    docs = [doc for _, doc in read(SAMPLE) if isinstance(doc, Document)]
    engine.delete_index(index)
    engine.create_index(index)
    assert all(item.ok for item in engine.bulk(index, docs))
    engine.refresh(index)


# -- parity: the engine's analysis IS the Python analysis -----------------------------------


@pytest.mark.parametrize("fixture", ["news_ar.txt", "quran_sample.txt"])
@pytest.mark.parametrize("stemmed", [True, False], ids=["light", "exact"])
def test_engine_analysis_equals_python_on_every_line(
    opensearch: Engine, fixture: str, stemmed: bool
) -> None:
    lines = fixture_lines(fixture)
    mismatches = []
    for number, line in enumerate(lines, start=1):
        engine_tokens = opensearch.analyze(line, stemmed=stemmed)
        python_tokens = ANALYZER.tokens(line, stemmed=stemmed)
        if engine_tokens != python_tokens:
            pairs = [(e, p) for e, p in zip(engine_tokens, python_tokens, strict=False) if e != p]
            mismatches.append((number, len(engine_tokens), len(python_tokens), pairs[:2]))
    assert mismatches == [], f"{len(mismatches)} of {len(lines)} lines differ"


def test_checked_in_template_creates_an_index(opensearch: Engine, opensearch_url: str) -> None:
    index = unique("template")
    body = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    opensearch.client.indices.create(index=index, body=body)  # type: ignore[attr-defined]
    try:
        tokens = opensearch.client.indices.analyze(  # type: ignore[attr-defined]
            index=index, body={"field": "body", "text": "ذَٰلِكَ ٱلۡكِتَٰبُ"}
        )["tokens"]
        assert [t["token"] for t in tokens] == ["كتاب"]
    finally:
        opensearch.delete_index(index)


def test_node_without_arabic_filters_gets_a_clear_error(elasticsearch_url: str) -> None:
    engine = open_engine(Settings(engine="elasticsearch", url=elasticsearch_url))
    with pytest.raises(SearcherError, match="SEARCHER_ENGINE_ANALYSIS=builtin"):
        engine.create_index(unique("arabic"))


# -- search: same syntax, same shape, same answers -----------------------------------------

QUERIES = [
    "الكتاب",  # Quranic ٱلۡكِتَٰبُ and modern الكتاب
    "الرحمن الرحيم",
    "ترامب",
    "بوتين -ترامب",
    '"الرئيس الروسي"',
    "المحادثات OR الكرملين",
    "الصلاة",  # Uthmani ٱلصَّلَوٰةَ
    "مسئول",  # hamza carrier variant of مسؤول in the news text
]


@pytest.fixture(scope="module")
def three_engines(opensearch: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict:
    embedded = open_engine(Settings(engine="embedded", data_dir=tmp_path_factory.mktemp("e")))
    index = unique("sample")
    load_sample(embedded, index)
    load_sample(opensearch, index)
    yield {"embedded": embedded, "opensearch": opensearch, "index": index}
    opensearch.delete_index(index)
    embedded.close()


@pytest.mark.parametrize("query", QUERIES)
def test_embedded_and_opensearch_agree(three_engines: dict, query: str) -> None:
    plan = parse(query, ANALYZER)
    results = {
        name: three_engines[name].search(three_engines["index"], plan, size=10)
        for name in ("embedded", "opensearch")
    }
    embedded, opensearch = results["embedded"], results["opensearch"]
    assert embedded.total == opensearch.total > 0
    top = min(5, embedded.total)
    # BM25 in both; the same documents near the same places.
    assert {h.id for h in embedded.hits[:top]} == {h.id for h in opensearch.hits[:top]}
    assert embedded.hits[0].id == opensearch.hits[0].id
    for hit in opensearch.hits:
        assert hit.snippet.marks, f"no highlight for {hit.id}"


def test_opensearch_highlights_the_original_text(three_engines: dict) -> None:
    response = three_engines["opensearch"].search(three_engines["index"], parse("الكتاب", ANALYZER))
    hit = next(h for h in response.hits if h.id == "quran-2-2")
    start, end = hit.snippet.marks[0]
    assert hit.snippet.text[start:end] == "ٱلۡكِتَٰبُ"
    assert "<mark>ٱلۡكِتَٰبُ</mark>" in hit.snippet_html


@pytest.mark.parametrize(
    "odd",
    ['"', "-", "OR", "*:*", "title:(x", "\\", "a" * 5000, "<script>", '"الكتاب', "الكتاب OR -"],
)
def test_odd_input_is_text_never_syntax_on_opensearch(three_engines: dict, odd: str) -> None:
    plan = parse(odd, ANALYZER)
    found = {
        name: three_engines[name].search(three_engines["index"], plan, size=50)
        for name in ("opensearch", "embedded")
    }
    # Query syntax never reaches the engine as syntax (no *:* matching everything), and the
    # two engines agree on what the text matches.
    assert {h.id for h in found["opensearch"].hits} == {h.id for h in found["embedded"].hits}
    assert found["opensearch"].total == found["embedded"].total
    assert (found["opensearch"].total > 0) == ("الكتاب" in odd)


# -- the Elasticsearch client path ----------------------------------------------------------


def test_elasticsearch_bulk_replace_search_highlight(elasticsearch: Engine) -> None:
    index = unique("es")
    elasticsearch.create_index(index)
    try:
        docs = [
            Document(id="1", title="الكتاب", body="قال احمد إن الكتاب مفيد <b>جدا</b>"),
            Document(id="2", title="خبر", body="نص آخر"),
        ]
        assert [i.replaced for i in elasticsearch.bulk(index, docs)] == [False, False]
        assert [i.replaced for i in elasticsearch.bulk(index, docs[:1])] == [True]
        elasticsearch.refresh(index)
        assert elasticsearch.count(index) == 2
        response = elasticsearch.search(index, parse("الكتاب", ANALYZER))
        assert [h.id for h in response.hits] == ["1"]
        (hit,) = response.hits
        assert "<mark>الكتاب</mark>" in hit.snippet_html
        assert "&lt;b&gt;" in hit.snippet_html  # document HTML is escaped
    finally:
        elasticsearch.delete_index(index)


def test_the_same_id_twice_in_one_chunk_last_wins(opensearch: Engine) -> None:
    index = unique("dup")
    opensearch.create_index(index)
    try:
        # Big enough to go out as parallel requests; the copies must still land in order.
        docs = [Document(id=f"d{i}", body="نص") for i in range(300)]
        docs += [Document(id=f"d{i}", body="النسخة الأخيرة") for i in range(0, 300, 7)]
        items = opensearch.bulk(index, docs)
        assert [i.id for i in items] == [d.id for d in docs]
        assert [i.replaced for i in items] == [False] * 300 + [True] * len(range(0, 300, 7))
        opensearch.refresh(index)
        assert opensearch.count(index) == 300
        latest = opensearch.search(index, parse("الأخيرة", ANALYZER), size=100)
        assert latest.total == len(range(0, 300, 7))
    finally:
        opensearch.delete_index(index)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_elasticsearch_rejects_one_bad_document_and_keeps_the_rest(elasticsearch: Engine) -> None:
    index = unique("es")
    elasticsearch.create_index(index)
    try:
        good = Document(id="ok", body="نص")
        # A mapping conflict on one document (the model would refuse it, a dump's extra field
        # or another writer's data would not).
        bad = Document.model_construct(
            id="bad", title="", body="نص", url=None, tags=[], published_at="not a date"
        )
        items = elasticsearch.bulk(index, [good, bad])
        assert [i.ok for i in items] == [True, False]
        assert "published_at" in (items[1].error or "")
    finally:
        elasticsearch.delete_index(index)


def test_alias_swap_is_atomic_and_reports_the_old_target(elasticsearch: Engine) -> None:
    first, second, alias = unique("gen"), unique("gen"), unique("alias")
    for index in (first, second):
        elasticsearch.create_index(index)
    try:
        assert elasticsearch.point_alias(alias, first) == []
        assert elasticsearch.point_alias(alias, second) == [first]
        assert elasticsearch.alias_targets(alias) == [second]
    finally:
        for index in (first, second):
            elasticsearch.delete_index(index)


@pytest.mark.parametrize("engine_name", ["elasticsearch", "opensearch"])
def test_engine_down_is_a_clear_error(engine_name: str) -> None:
    settings = Settings(engine=engine_name, url="http://user:secret@127.0.0.1:9", max_retries=0)
    engine = open_engine(settings)
    with pytest.raises(EngineUnavailable) as caught:
        engine.count("anything")
    assert "unreachable" in str(caught.value)
    assert "secret" not in str(caught.value)


# -- zero-downtime reindex ------------------------------------------------------------------


def _dump(path: Path, generation: str, count: int) -> Path:
    lines = [
        json.dumps(
            {"id": f"d{i}", "title": f"وثيقة {i}", "body": f"الكتاب {generation} رقم {i}"},
            ensure_ascii=False,
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_searches_during_a_reindex_never_fail_or_see_a_partial_index(
    opensearch: Engine, tmp_path: Path
) -> None:
    alias = unique("live")
    old, new = 300, 500
    checkpoint = Checkpoint.load(tmp_path / "a.json", "old")
    reindex(
        opensearch,
        alias,
        read(_dump(tmp_path / "old.jsonl", "قديم", old)),
        RejectsFile(tmp_path / "r1.jsonl"),
        checkpoint,
    )

    seen: list[int] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def searcher_loop() -> None:
        while not stop.is_set():
            try:
                seen.append(opensearch.search(alias, parse("الكتاب", ANALYZER)).total)
            except BaseException as error:  # any failure at all is what we look for
                errors.append(error)

    reader = threading.Thread(target=searcher_loop)
    reader.start()
    try:
        report = reindex(
            opensearch,
            alias,
            read(_dump(tmp_path / "new.jsonl", "جديد", new)),
            RejectsFile(tmp_path / "r2.jsonl"),
            Checkpoint.load(tmp_path / "b.json", "new"),
            chunk_size=25,
        )
    finally:
        stop.set()
        reader.join()
    try:
        assert errors == []
        assert len(seen) > 5
        assert set(seen) <= {old, new}, "a search saw a half-built index"
        assert seen[-1] == new
        assert report.count == new and opensearch.alias_targets(alias) == [report.index]
        assert report.pruned and not opensearch.exists(report.pruned[0])
    finally:
        for index in opensearch.indices(f"{alias}-"):
            opensearch.delete_index(index)


def test_an_interrupted_reindex_resumes_from_its_checkpoint(
    opensearch: Engine, tmp_path: Path
) -> None:
    alias = unique("resume")
    dump = _dump(tmp_path / "dump.jsonl", "نص", 200)
    checkpoint_path = tmp_path / "checkpoint.json"

    def crashing(records: Iterator, after: int) -> Iterator:
        for n, record in enumerate(records):
            if n == after:
                raise KeyboardInterrupt("simulated crash")
            yield record

    with pytest.raises(KeyboardInterrupt):
        reindex(
            opensearch,
            alias,
            crashing(read(dump), 120),
            RejectsFile(tmp_path / "r.jsonl"),
            Checkpoint.load(checkpoint_path, str(dump)),
            chunk_size=50,
        )
    saved = json.loads(checkpoint_path.read_text())
    assert saved["line"] == 100  # two chunks acknowledged before the crash
    assert opensearch.alias_targets(alias) == []  # readers never saw the partial index

    report = reindex(
        opensearch,
        alias,
        read(dump),
        RejectsFile(tmp_path / "r.jsonl"),
        Checkpoint.load(checkpoint_path, str(dump)),
        chunk_size=50,
    )
    try:
        assert report.resumed_from_line == 100
        assert report.index == saved["index"]
        assert report.count == 200
        hits = opensearch.search(alias, parse("نص", ANALYZER), size=100)
        assert hits.total == 200
        assert not checkpoint_path.exists()
    finally:
        opensearch.delete_index(report.index)


def test_index_records_streams_to_opensearch_with_rejects(
    opensearch: Engine, tmp_path: Path
) -> None:
    index = unique("stream")
    dump = tmp_path / "mixed.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n{broken\n{"id": "2", "body": "نص"}\n', "utf-8")
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    report = index_records(opensearch, index, read(dump), rejects)
    rejects.close()
    try:
        assert (report.indexed, report.rejected) == (2, 1)
        assert opensearch.count(index) == 2
        assert json.loads(rejects.path.read_text())["line"] == 2
    finally:
        opensearch.delete_index(index)
