"""Reindex on the real embedded engine: the report's counts, what was actually sent, the count
check's refusal, pruning of old generations and `--keep`.

Indexing by id makes the final document count forgiving (a resume that resends everything still
ends with 100 documents), so these tests look at the report and at the documents the engine was
handed, through `Recording`: the real engine, with a note of every bulk call.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searcher.arabic import ArabicAnalyzer
from searcher.cli import main
from searcher.engines.base import BulkItem
from searcher.engines.embedded import EmbeddedEngine
from searcher.errors import EngineUnavailable, SearcherError
from searcher.indexer import IndexReport, RejectsFile
from searcher.models import Document
from searcher.reindex import Checkpoint, ReindexReport, physical_name, reindex

GENERATION = re.compile(r"lib-\d{20}")


class Recording:
    """The real embedded engine; every document handed to `bulk` is noted, then passed on."""

    def __init__(self, engine: EmbeddedEngine, fail_after_call: int = 0) -> None:
        self.engine = engine
        self.sent: list[str] = []
        self.calls = 0
        self.fail_after_call = fail_after_call

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def bulk(
        self, index: str, docs: Sequence[Document], *, existing: set[str] | None = None
    ) -> list[BulkItem]:
        self.sent += [doc.id for doc in docs]
        items = self.engine.bulk(index, docs, existing=existing)
        self.calls += 1
        if self.calls == self.fail_after_call:  # applied, but the answer never arrives
            raise EngineUnavailable("connection cut after the engine applied the request")
        return items


def records(n: int, word: str = "نص") -> list[tuple[int, Document]]:
    return [(i, Document(id=f"d{i}", body=f"{word} رقم {i}")) for i in range(1, n + 1)]


def crashing(items: list[tuple[int, Document]], at: int) -> Iterator[tuple[int, Document]]:
    """The records, until the process dies while reading record `at`."""
    for line, doc in items:
        if line == at:
            raise KeyboardInterrupt("simulated crash")
        yield line, doc


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[EmbeddedEngine]:
    real = EmbeddedEngine(tmp_path / "data", ArabicAnalyzer())
    yield real
    real.close()


def run(engine: Any, tmp_path: Path, items: Any, name: str = "c", **kwargs: Any) -> Any:
    checkpoint = Checkpoint.load(tmp_path / f"{name}.json", f"dump-{name}")
    return reindex(
        engine, "lib", items, RejectsFile(tmp_path / "rejects.jsonl"), checkpoint, **kwargs
    )


def test_a_fresh_reindex_reports_what_it_sent(engine: EmbeddedEngine, tmp_path: Path) -> None:
    recording = Recording(engine)
    report = run(recording, tmp_path, records(100), chunk_size=20)
    assert recording.sent == [f"d{i}" for i in range(1, 101)]
    assert (report.run.indexed, report.run.replaced, report.run.rejected) == (100, 0, 0)
    assert (report.count, report.resumed_from_line) == (100, 0)
    assert (report.previous, report.pruned) == ([], [])
    assert GENERATION.fullmatch(report.index)
    assert engine.alias_targets("lib") == [report.index]
    assert not (tmp_path / "c.json").exists()  # a finished run leaves no checkpoint
    summary = report.as_dict()
    assert summary["index"] == report.index and summary["indexed"] == 100
    assert summary["alias"] == "lib" and summary["count"] == 100


def test_a_resumed_reindex_sends_only_the_rest_and_counts_each_once(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        run(engine, tmp_path, crashing(records(100), at=50), chunk_size=20)
    saved = json.loads((tmp_path / "c.json").read_text())
    assert (saved["line"], saved["indexed"], saved["in_flight_line"]) == (40, 40, 0)
    assert engine.alias_targets("lib") == []  # readers never saw the partial index

    recording = Recording(engine)
    report = run(recording, tmp_path, records(100), chunk_size=20)
    assert recording.sent == [f"d{i}" for i in range(41, 101)]  # not the first 40 again
    assert (report.run.indexed, report.run.replaced) == (100, 0)  # not 140
    assert (report.count, report.resumed_from_line) == (100, 40)
    assert report.index == saved["index"]


def test_a_lost_answer_is_resent_once_and_counted_once(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    with pytest.raises(EngineUnavailable):
        run(Recording(engine, fail_after_call=3), tmp_path, records(100), chunk_size=20)
    saved = json.loads((tmp_path / "c.json").read_text())
    # The request in flight (up to line 60) and which of its ids existed before it: none.
    assert (saved["line"], saved["in_flight_line"], saved["in_flight_existing"]) == (40, 60, [])

    recording = Recording(engine)
    report = run(recording, tmp_path, records(100), chunk_size=20)
    # Chunk 3 (d41-d60) reached the engine once already: sent again, it is still new, not
    # replaced, since the checkpoint says none of it existed before the lost request.
    assert recording.sent == [f"d{i}" for i in range(41, 101)]
    assert (report.run.indexed, report.run.replaced, report.count) == (100, 0, 100)


class _Meddler:
    """Another writer that changes the new generation while the reindex is still filling it."""

    def __init__(self, engine: EmbeddedEngine, action: str) -> None:
        self.engine, self.action, self.done = engine, action, False
        self.before = set(engine.indices("lib-"))

    def __call__(self, *_: object) -> None:
        if self.done:
            return
        (index,) = [name for name in self.engine.indices("lib-") if name not in self.before]
        if self.action == "delete":
            self.engine.delete_document(index, "d1")
        else:
            self.engine.bulk(index, [Document(id="stray", body="وثيقة دخيلة")])
        self.done = True


@pytest.mark.parametrize("action", ["delete", "add"])
def test_a_failed_count_check_leaves_the_alias_and_the_checkpoint(
    engine: EmbeddedEngine, tmp_path: Path, action: str
) -> None:
    first = run(engine, tmp_path, records(30), name="first")
    meddler = _Meddler(engine, action)
    with pytest.raises(SearcherError, match="count check failed") as failed:
        run(engine, tmp_path, records(60, "جديد"), name="second", chunk_size=20, on_chunk=meddler)
    found = 59 if action == "delete" else 61
    assert f": {found} documents searchable, 60 expected;" in str(failed.value)
    assert "was NOT moved" in str(failed.value)
    assert engine.alias_targets("lib") == [first.index]  # readers still see the old index
    assert json.loads((tmp_path / "second.json").read_text())["line"] == 60
    assert len(engine.indices("lib-")) == 2  # and nothing was pruned


def _three_generations(engine: EmbeddedEngine, tmp_path: Path, keep: int) -> list[Any]:
    return [
        run(engine, tmp_path, records(10, word), name=f"g{n}", keep=keep)
        for n, word in enumerate(["اول", "ثان", "ثالث"])
    ]


def test_old_generations_are_pruned(engine: EmbeddedEngine, tmp_path: Path) -> None:
    engine.create_index("lib-archive")  # not a generation: never pruned
    one, two, three = _three_generations(engine, tmp_path, keep=0)
    assert (two.previous, two.pruned) == ([one.index], [one.index])
    assert (three.previous, three.pruned) == ([two.index], [two.index])
    assert engine.indices("lib-") == [three.index, "lib-archive"]
    assert engine.alias_targets("lib") == [three.index]


@pytest.mark.parametrize("keep", [1, 2])
def test_keep_keeps_the_newest_previous_generations(
    engine: EmbeddedEngine, tmp_path: Path, keep: int
) -> None:
    reports = _three_generations(engine, tmp_path, keep=keep)
    names = [report.index for report in reports]
    assert engine.indices("lib-") == names[-1 - keep :]
    assert reports[-1].pruned == names[: 2 - keep]


def test_reindex_keep_on_the_command_line(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', encoding="utf-8")
    data = tmp_path / "data"
    args = ["reindex", str(dump), "--index", "lib", "--data-dir", str(data), "--json"]
    outputs = [json.loads(CliRunner().invoke(main, [*args, "--keep", "1"]).stdout) for _ in "abc"]
    generations = sorted(p.name for p in (data / "indices").iterdir())
    assert generations == [outputs[1]["index"], outputs[2]["index"]]
    assert outputs[2]["pruned"] == [outputs[0]["index"]]
    last = CliRunner().invoke(main, args)  # --keep 0 by default
    assert json.loads(last.stdout)["pruned"] == generations
    assert [p.name for p in (data / "indices").iterdir()] == [json.loads(last.stdout)["index"]]


def test_a_checkpoint_belongs_to_its_dump(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    saved = Checkpoint(path=path, source="a.jsonl", index="lib-1", line=7, indexed=7)
    saved.save()
    assert Checkpoint.load(path, "a.jsonl") == saved
    assert Checkpoint.load(path, "other.jsonl") == Checkpoint(path=path, source="other.jsonl")
    saved.clear()
    assert not path.exists()
    saved.clear()  # clearing twice (or a checkpoint never saved) is fine


def test_by_default_no_previous_generation_is_kept(engine: EmbeddedEngine, tmp_path: Path) -> None:
    first = run(engine, tmp_path, records(5), name="a")
    second = run(engine, tmp_path, records(5), name="b")  # keep not given
    assert second.pruned == [first.index]
    assert engine.indices("lib-") == [second.index]


def test_a_checkpoint_whose_index_is_gone_starts_over(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    with pytest.raises(KeyboardInterrupt):
        run(engine, tmp_path, crashing(records(100), at=50), chunk_size=20)
    engine.delete_index(json.loads((tmp_path / "c.json").read_text())["index"])
    recording = Recording(engine)
    report = run(recording, tmp_path, records(100), chunk_size=20)
    assert report.resumed_from_line == 0
    assert recording.sent == [f"d{i}" for i in range(1, 101)]
    assert (report.run.indexed, report.count) == (100, 100)


def test_lost_answers_in_two_runs_add_up(engine: EmbeddedEngine, tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable):  # chunk 3 (d41-d60) applied, answer lost
        run(Recording(engine, fail_after_call=3), tmp_path, records(100), chunk_size=20)
    with pytest.raises(EngineUnavailable):  # resumed: d41-d60 again, then d61-d80 lost
        run(Recording(engine, fail_after_call=2), tmp_path, records(100), chunk_size=20)
    saved = json.loads((tmp_path / "c.json").read_text())
    assert {k: saved[k] for k in ("line", "indexed", "replaced", "in_flight_line")} == {
        "line": 60,
        "indexed": 60,
        "replaced": 0,
        "in_flight_line": 80,
    }
    lines: list[int] = []
    report = run(
        engine, tmp_path, records(100), chunk_size=20, on_chunk=lambda _, line: lines.append(line)
    )
    # 100 documents, each counted once as new although 40 of them were applied twice.
    assert (report.run.indexed, report.run.replaced, report.count) == (100, 0, 100)
    assert lines == [80, 100]


def test_a_crash_before_the_first_chunk_of_a_resume_keeps_the_request_in_flight(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    with pytest.raises(EngineUnavailable):
        run(Recording(engine, fail_after_call=3), tmp_path, records(100), chunk_size=20)
    with pytest.raises(KeyboardInterrupt):
        run(engine, tmp_path, crashing(records(100), at=41), chunk_size=20)
    saved = json.loads((tmp_path / "c.json").read_text())
    assert (saved["line"], saved["in_flight_line"], saved["in_flight_existing"]) == (40, 60, [])


def test_the_count_check_after_a_lost_answer_is_exact(
    engine: EmbeddedEngine, tmp_path: Path
) -> None:
    with pytest.raises(EngineUnavailable):
        run(Recording(engine, fail_after_call=3), tmp_path, records(100), chunk_size=20)

    def stray_documents(*_: object) -> None:
        (index,) = engine.indices("lib-")
        engine.bulk(index, [Document(id=f"stray{n}", body="دخيل") for n in range(21)])

    with pytest.raises(SearcherError) as failed:
        run(engine, tmp_path, records(100), chunk_size=100, on_chunk=stray_documents)
    # The lost request's 20 documents are counted once, exactly: no slack for strays to hide in.
    assert ": 121 documents searchable, 100 expected;" in str(failed.value)


def test_generation_names_are_utc_timestamps(
    engine: EmbeddedEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Riyadh")  # three hours from UTC: local time would show
    time.tzset()
    try:
        before = datetime.now(UTC).strftime("%Y%m%d%H%M")
        name = physical_name(engine, "lib")
        after = datetime.now(UTC).strftime("%Y%m%d%H%M")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert GENERATION.fullmatch(name)
    assert before <= name[len("lib-") :][:12] <= after


def test_report_as_dict() -> None:
    run_report = IndexReport(
        index="ignored", indexed=3, replaced=1, rejected=2, seconds=1.23456, rejects_file="r"
    )
    report = ReindexReport("lib", "lib-1", ["lib-0"], ["lib-0"], 5, 9, run_report)
    assert report.as_dict() == {
        "alias": "lib",
        "index": "lib-1",
        "previous": ["lib-0"],
        "pruned": ["lib-0"],
        "resumed_from_line": 5,
        "count": 9,
        "indexed": 3,
        "replaced": 1,
        "rejected": 2,
        "seconds": 1.235,
        "docs_per_second": 2.4,
        "rejects_file": "r",
    }
    assert IndexReport(index="t").as_dict()["docs_per_second"] == 0.0
