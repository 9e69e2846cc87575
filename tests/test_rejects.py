"""Rejects: a record the engines would refuse (an id over 512 bytes, refused in Python before any
request) or that an engine refuses (a mapping conflict) lands in the rejects file, on every
engine, and the CLI names the first rejects as FILE:LINE and counts the rest."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from searcher.cli import EXIT_REJECTS, main
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.indexer import RejectsFile, index_records
from searcher.limits import MAX_ID_BYTES
from searcher.models import Document
from searcher.settings import Settings

LONG_ID = "م" * MAX_ID_BYTES  # two bytes a letter: twice the length every engine allows


def _dump(path: Path, ids: list[str]) -> Path:
    lines = [
        json.dumps({"id": i, "body": f"نص الوثيقة {n}"}, ensure_ascii=False)
        for n, i in enumerate(ids)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(
    params=[
        "embedded",
        pytest.param("opensearch", marks=pytest.mark.engines),
        pytest.param("elasticsearch", marks=pytest.mark.engines),
    ]
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "embedded":
        settings = Settings(engine="embedded", data_dir=tmp_path / "data")
    else:
        url = request.getfixturevalue(f"{request.param}_url")
        settings = Settings(engine=request.param, url=url)
    opened = open_engine(settings)
    yield opened
    opened.close()


def test_an_id_too_long_for_the_engines_is_a_reject_on_every_engine(
    engine: Engine, tmp_path: Path
) -> None:
    index = f"rejects-{uuid.uuid4().hex[:8]}"
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    dump = _dump(tmp_path / "d.jsonl", ["a", LONG_ID, "b"])
    try:
        report = index_records(engine, index, read(dump), rejects)
        rejects.close()
        assert (report.indexed, report.rejected) == (2, 1)
        assert report.rejects_file == str(rejects.path)
        assert engine.count(index) == 2
    finally:
        if engine.name != "embedded":
            engine.delete_index(index)
    (kept,) = [json.loads(line) for line in rejects.path.read_text("utf-8").splitlines()]
    assert kept["line"] == 2
    assert kept["id"] is None  # the record never became a document
    assert json.loads(kept["raw"])["id"] == LONG_ID  # the record as it was read
    assert "1024 bytes" in kept["reason"] and "at most 512 bytes" in kept["reason"]


def test_the_longest_allowed_id_is_found_again_and_one_more_byte_is_refused(
    tmp_path: Path,
) -> None:
    exactly = "x" * MAX_ID_BYTES
    with pytest.raises(ValidationError, match=r"id is 513 bytes of UTF-8; .* at most 512 bytes"):
        Document(id=exactly + "x")
    engine = open_engine(Settings(engine="embedded", data_dir=tmp_path))
    engine.create_index("t")
    assert engine.bulk("t", [Document(id=exactly, body="نص")])[0].ok
    # The longest allowed id can still be found again, so indexing it twice replaces it.
    assert engine.bulk("t", [Document(id=exactly, body="نص جديد")])[0].replaced
    engine.refresh("t")
    assert engine.count("t") == 1
    engine.close()


@pytest.mark.engines
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_mapping_conflict_on_opensearch_is_a_reject_with_its_id(
    opensearch_url: str, tmp_path: Path
) -> None:
    engine = open_engine(Settings(engine="opensearch", url=opensearch_url))
    index = f"rejects-{uuid.uuid4().hex[:8]}"
    # A field the model would refuse, as another writer's data or a dump's extra field would not.
    bad = Document.model_construct(
        id="bad", title="", body="نص", url=None, tags=[], published_at="ليس تاريخا"
    )
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    try:
        report = index_records(
            engine, index, [(1, Document(id="ok", body="نص")), (2, bad)], rejects
        )
        rejects.close()
    finally:
        engine.delete_index(index)
    assert (report.indexed, report.rejected) == (1, 1)
    (kept,) = [json.loads(line) for line in rejects.path.read_text("utf-8").splitlines()]
    assert (kept["line"], kept["id"]) == (2, "bad")
    assert "published_at" in kept["reason"]


def test_a_document_the_embedded_engine_refuses_is_a_reject_with_its_id(tmp_path: Path) -> None:
    # The engine's own refusal, not the model's: a declared filterable field may hold a keyword
    # or a list of them, never an object (as Elasticsearch would refuse it).  Before, a refused
    # document was caught only by the OpenSearch test above; without nodes nothing saw it dropped.
    settings = Settings(engine="embedded", data_dir=tmp_path / "data", filterable=("category",))
    engine = open_engine(settings)
    odd = Document(id="odd", body="نص", category={"اسم": "أخبار"})
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    try:
        report = index_records(engine, "t", [(1, Document(id="ok", body="نص")), (2, odd)], rejects)
        rejects.close()
        assert engine.count("t") == 1
    finally:
        engine.close()
    assert (report.indexed, report.rejected) == (1, 1)
    (kept,) = [json.loads(line) for line in rejects.path.read_text("utf-8").splitlines()]
    assert (kept["line"], kept["id"]) == (2, "odd")
    assert "category" in kept["reason"]


def test_a_record_the_reader_refuses_has_no_id_yet(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "a", "body": "نص"}\n{broken\n', encoding="utf-8")
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    engine = open_engine(Settings(engine="embedded", data_dir=tmp_path / "data"))
    index_records(engine, "t", read(dump), rejects)
    rejects.close()
    engine.close()
    (kept,) = [json.loads(line) for line in rejects.path.read_text("utf-8").splitlines()]
    assert kept == {"line": 2, "id": None, "reason": kept["reason"], "raw": "{broken"}
    assert kept["reason"].startswith("invalid JSON")


def test_the_cli_prints_the_first_ten_rejects_and_counts_the_rest(tmp_path: Path) -> None:
    ids = ["good"] + [f"{LONG_ID}{n}" for n in range(13)]
    dump = _dump(tmp_path / "many.jsonl", ids)
    rejects = tmp_path / "rejects.jsonl"
    args = ["index", str(dump), "--data-dir", str(tmp_path / "data"), "--rejects", str(rejects)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == EXIT_REJECTS
    named = [line for line in result.stderr.splitlines() if line.startswith(f"{dump}:")]
    assert [line.split(":")[1] for line in named] == [str(n) for n in range(2, 12)]
    assert all("at most 512 bytes" in line for line in named)
    assert "… and 3 more" in result.stderr
    assert f"every rejected record is in {rejects}" in result.stderr
    kept = [json.loads(line) for line in rejects.read_text("utf-8").splitlines()]
    assert [json.loads(r["raw"])["id"] for r in kept] == ids[1:]
    assert "indexed 1, replaced 0, rejected 13" in result.stdout


def test_the_rejects_file_is_created_with_its_folders_on_the_first_reject(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folders" / "rejects.jsonl"
    rejects = RejectsFile(path)
    rejects.close()
    assert not path.exists()  # no rejects, no file
    rejects = RejectsFile(path)
    for n in range(1, 13):
        rejects.add(n, f"سبب {n}", "{}", doc_id=f"d{n}" if n % 2 else None)
    rejects.close()
    assert rejects.count == 12
    assert rejects.first == [(n, f"سبب {n}") for n in range(1, 11)]  # RejectsFile.SHOWN
    kept = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert kept[0] == {"line": 1, "id": "d1", "reason": "سبب 1", "raw": "{}"}
    assert [r["id"] for r in kept[:2]] == ["d1", None]


def test_a_run_without_rejects_names_no_rejects_file_and_times_itself(tmp_path: Path) -> None:
    engine = open_engine(Settings(engine="embedded", data_dir=tmp_path / "data"))
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    before = time.perf_counter()
    report = index_records(engine, "t", [(1, Document(id="a", body="نص"))], rejects)
    elapsed = time.perf_counter() - before
    engine.close()
    assert (report.indexed, report.rejected, report.rejects_file) == (1, 0, None)
    assert 0 < report.seconds <= elapsed  # a duration, not a clock reading
