"""Elasticsearch and OpenSearch for real: nodes started by scripts/nodes.py.

Both run the production Arabic template (OpenSearch with its analysis-common module,
Elasticsearch with our test-only stand-in for it, scripts/es-test-analysis/), so every test here
runs on both: parity with Python, agreement with the embedded engine, snippets of the original
text, bulk, aliases, zero-downtime reindex.
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
from searcher.errors import EngineUnavailable
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from searcher.reindex import Checkpoint, reindex
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, fixture_lines

pytestmark = pytest.mark.engines

SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"
ANALYZER = ArabicAnalyzer()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def load_sample(engine: Engine, index: str) -> None:
    docs = [doc for _, doc in read(SAMPLE) if isinstance(doc, Document)]
    engine.delete_index(index)
    engine.create_index(index)
    assert all(item.ok for item in engine.bulk(index, docs))
    engine.refresh(index)


# -- parity: the engine's analysis IS the Python analysis -----------------------------------


@pytest.mark.parametrize("fixture", ["news_ar.txt", "quran_sample.txt", "quran_orthography.txt"])
@pytest.mark.parametrize("stemmed", [True, False], ids=["light", "exact"])
def test_engine_analysis_equals_python_on_every_line(
    server_engine: Engine, fixture: str, stemmed: bool
) -> None:
    lines = fixture_lines(fixture)
    mismatches = []
    for number, line in enumerate(lines, start=1):
        engine_tokens = server_engine.analyze(line, stemmed=stemmed)
        python_tokens = ANALYZER.tokens(line, stemmed=stemmed)
        if engine_tokens != python_tokens:
            pairs = [(e, p) for e, p in zip(engine_tokens, python_tokens, strict=False) if e != p]
            mismatches.append((number, len(engine_tokens), len(python_tokens), pairs[:2]))
    assert mismatches == [], f"{len(mismatches)} of {len(lines)} lines differ"


def test_checked_in_template_creates_an_index(server_engine: Engine) -> None:
    index = unique("template")
    body = json.loads(CHECKED_IN.read_text(encoding="utf-8"))
    server_engine.client.indices.create(index=index, body=body)  # type: ignore[attr-defined]
    try:
        tokens = server_engine.client.indices.analyze(  # type: ignore[attr-defined]
            index=index, body={"field": "body", "text": "ذَٰلِكَ ٱلۡكِتَٰبُ"}
        )["tokens"]
        assert [t["token"] for t in tokens] == ["كتاب"]
    finally:
        server_engine.delete_index(index)


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
    "صندوق",  # only «لصندوق» in the text: the proclitic ل split off at index time
    "مصابيح",  # only Uthmani «بِمَصَٰبِيحَ»: the proclitic ب
    "شيئا",  # Uthmani شَيۡـٔٗا: the hamza on a kashida has the seat ئ
    "الليل",  # Uthmani ٱلَّيۡلِ with one lam, and the news text's الليل
]


@pytest.fixture(scope="module")
def three_engines(
    elasticsearch: Engine, opensearch: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    """The sample corpus in all three engines, under one index name."""
    embedded = open_engine(Settings(engine="embedded", data_dir=tmp_path_factory.mktemp("e")))
    index = unique("sample")
    engines = {"embedded": embedded, "elasticsearch": elasticsearch, "opensearch": opensearch}
    for engine in engines.values():
        load_sample(engine, index)
    yield {**engines, "index": index}
    for name in SERVER_ENGINES:
        engines[name].delete_index(index)
    embedded.close()


@pytest.mark.parametrize("server", SERVER_ENGINES)
@pytest.mark.parametrize("query", QUERIES)
def test_server_engines_agree_with_embedded(three_engines: dict, server: str, query: str) -> None:
    plan = parse(query, ANALYZER)
    index = three_engines["index"]
    embedded = three_engines["embedded"].search(index, plan, size=10)
    other = three_engines[server].search(index, plan, size=10)
    assert embedded.total == other.total > 0
    top = min(5, embedded.total)
    # BM25 in both; the same documents near the same places.
    assert {h.id for h in embedded.hits[:top]} == {h.id for h in other.hits[:top]}
    assert embedded.hits[0].id == other.hits[0].id
    for hit in other.hits:
        assert hit.snippet.marks, f"no highlight for {hit.id}"


@pytest.mark.parametrize("server", SERVER_ENGINES)
def test_the_engine_highlights_the_original_text(three_engines: dict, server: str) -> None:
    response = three_engines[server].search(three_engines["index"], parse("الكتاب", ANALYZER))
    hit = next(h for h in response.hits if h.id == "quran-2-2")
    start, end = hit.snippet.marks[0]
    assert hit.snippet.text[start:end] == "ٱلۡكِتَٰبُ"
    assert "<mark>ٱلۡكِتَٰبُ</mark>" in hit.snippet_html


def test_no_engine_lets_bidi_controls_into_a_snippet(three_engines: dict) -> None:
    # Issue #9 item 16: an open right-to-left override around the matched word.
    controls = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    spoof = Document(id="spoof", title="عنوان", body="قال \u202eالمتحدث\u202c إن \u2067الاتفاق تم")
    for name in ("embedded", *SERVER_ENGINES):
        engine = three_engines[name]
        engine.bulk(three_engines["index"], [spoof])
        engine.refresh(three_engines["index"])
        hits = engine.search(three_engines["index"], parse("المتحدث", ANALYZER)).hits
        (hit,) = [h for h in hits if h.id == "spoof"]
        assert not controls.intersection(hit.snippet.text + hit.snippet_html), name
        assert [hit.snippet.text[s:e] for s, e in hit.snippet.marks] == ["المتحدث"], name


@pytest.mark.parametrize("server", SERVER_ENGINES)
@pytest.mark.parametrize(
    "odd",
    ['"', "-", "OR", "*:*", "title:(x", "\\", "a" * 5000, "<script>", '"الكتاب', "الكتاب OR -"],
)
def test_odd_input_is_text_never_syntax(three_engines: dict, server: str, odd: str) -> None:
    plan = parse(odd, ANALYZER)
    found = {
        name: three_engines[name].search(three_engines["index"], plan, size=50)
        for name in (server, "embedded")
    }
    # Query syntax never reaches the engine as syntax (no *:* matching everything), and the
    # two engines agree on what the text matches.
    assert {h.id for h in found[server].hits} == {h.id for h in found["embedded"].hits}
    assert found[server].total == found["embedded"].total
    assert (found[server].total > 0) == ("الكتاب" in odd)


# -- bulk, replace, rejects, aliases ---------------------------------------------------------


def test_bulk_replace_search_highlight(server_engine: Engine) -> None:
    index = unique("bulk")
    server_engine.create_index(index)
    try:
        docs = [
            Document(id="1", title="الكتاب", body="قال احمد إن الكتاب مفيد <b>جدا</b>"),
            Document(id="2", title="خبر", body="نص آخر"),
        ]
        assert [i.replaced for i in server_engine.bulk(index, docs)] == [False, False]
        assert [i.replaced for i in server_engine.bulk(index, docs[:1])] == [True]
        server_engine.refresh(index)
        assert server_engine.count(index) == 2
        response = server_engine.search(index, parse("الكتاب", ANALYZER))
        assert [h.id for h in response.hits] == ["1"]
        (hit,) = response.hits
        assert "<mark>الكتاب</mark>" in hit.snippet_html
        assert "&lt;b&gt;" in hit.snippet_html  # document HTML is escaped
    finally:
        server_engine.delete_index(index)


def test_the_same_id_twice_in_one_chunk_last_wins(server_engine: Engine) -> None:
    index = unique("dup")
    server_engine.create_index(index)
    try:
        # Big enough to go out as parallel requests; the copies must still land in order.
        docs = [Document(id=f"d{i}", body="نص") for i in range(300)]
        docs += [Document(id=f"d{i}", body="النسخة الأخيرة") for i in range(0, 300, 7)]
        items = server_engine.bulk(index, docs)
        assert [i.id for i in items] == [d.id for d in docs]
        assert [i.replaced for i in items] == [False] * 300 + [True] * len(range(0, 300, 7))
        server_engine.refresh(index)
        assert server_engine.count(index) == 300
        latest = server_engine.search(index, parse("الأخيرة", ANALYZER), size=100)
        assert latest.total == len(range(0, 300, 7))
    finally:
        server_engine.delete_index(index)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_rejects_one_bad_document_and_keeps_the_rest(server_engine: Engine) -> None:
    index = unique("bad")
    server_engine.create_index(index)
    try:
        good = Document(id="ok", body="نص")
        # A mapping conflict on one document (the model would refuse it, a dump's extra field
        # or another writer's data would not).
        bad = Document.model_construct(
            id="bad", title="", body="نص", url=None, tags=[], published_at="not a date"
        )
        items = server_engine.bulk(index, [good, bad])
        assert [i.ok for i in items] == [True, False]
        assert "published_at" in (items[1].error or "")
    finally:
        server_engine.delete_index(index)


def test_alias_swap_is_atomic_and_reports_the_old_target(server_engine: Engine) -> None:
    first, second, alias = unique("gen"), unique("gen"), unique("alias")
    for index in (first, second):
        server_engine.create_index(index)
    try:
        assert server_engine.point_alias(alias, first) == []
        assert server_engine.point_alias(alias, second) == [first]
        assert server_engine.alias_targets(alias) == [second]
    finally:
        for index in (first, second):
            server_engine.delete_index(index)


@pytest.mark.parametrize("engine_name", SERVER_ENGINES)
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
    server_engine: Engine, tmp_path: Path
) -> None:
    alias = unique("live")
    old, new = 300, 500
    checkpoint = Checkpoint.load(tmp_path / "a.json", "old")
    reindex(
        server_engine,
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
                seen.append(server_engine.search(alias, parse("الكتاب", ANALYZER)).total)
            except BaseException as error:  # any failure at all is what we look for
                errors.append(error)

    reader = threading.Thread(target=searcher_loop)
    reader.start()
    try:
        report = reindex(
            server_engine,
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
        assert report.count == new and server_engine.alias_targets(alias) == [report.index]
        assert report.pruned and not server_engine.exists(report.pruned[0])
    finally:
        for index in server_engine.indices(f"{alias}-"):
            server_engine.delete_index(index)


def test_an_interrupted_reindex_resumes_from_its_checkpoint(
    server_engine: Engine, tmp_path: Path
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
            server_engine,
            alias,
            crashing(read(dump), 120),
            RejectsFile(tmp_path / "r.jsonl"),
            Checkpoint.load(checkpoint_path, str(dump)),
            chunk_size=50,
        )
    saved = json.loads(checkpoint_path.read_text())
    assert saved["line"] == 100  # two chunks acknowledged before the crash
    assert server_engine.alias_targets(alias) == []  # readers never saw the partial index

    report = reindex(
        server_engine,
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
        hits = server_engine.search(alias, parse("نص", ANALYZER), size=100)
        assert hits.total == 200
        assert not checkpoint_path.exists()
    finally:
        server_engine.delete_index(report.index)


def test_index_records_streams_to_the_engine_with_rejects(
    server_engine: Engine, tmp_path: Path
) -> None:
    index = unique("stream")
    dump = tmp_path / "mixed.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n{broken\n{"id": "2", "body": "نص"}\n', "utf-8")
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    report = index_records(server_engine, index, read(dump), rejects)
    rejects.close()
    try:
        assert (report.indexed, report.rejected) == (2, 1)
        assert server_engine.count(index) == 2
        assert json.loads(rejects.path.read_text())["line"] == 2
    finally:
        server_engine.delete_index(index)
