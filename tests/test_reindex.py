"""Reindex bookkeeping with the embedded engine: a lost acknowledgement must not fail the rerun."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.engines.embedded import EmbeddedEngine
from searcher.errors import EngineUnavailable
from searcher.indexer import RejectsFile
from searcher.models import Document
from searcher.reindex import Checkpoint, reindex


class LosesAnAnswer(EmbeddedEngine):
    """Applies the third bulk request, then fails as if the connection died before the reply."""

    calls = 0  # per instance (set below): a class-wide count would carry over between runs

    def bulk(self, index, docs, *, existing=None):
        items = super().bulk(index, docs, existing=existing)
        self.calls += 1
        if self.calls == 3:
            raise EngineUnavailable("connection cut after the engine applied the request")
        return items


def records(n: int) -> list[tuple[int, Document]]:
    return [(i, Document(id=f"d{i}", body=f"نص رقم {i}")) for i in range(1, n + 1)]


def test_a_request_applied_but_never_acknowledged_is_resent_and_counted(tmp_path: Path) -> None:
    checkpoint_file = tmp_path / "checkpoint.json"
    flaky = LosesAnAnswer(tmp_path / "data", ArabicAnalyzer())
    with pytest.raises(EngineUnavailable):
        reindex(
            flaky,
            "lib",
            records(100),
            RejectsFile(tmp_path / "r.jsonl"),
            Checkpoint.load(checkpoint_file, "dump"),
            chunk_size=20,
        )
    flaky.close()
    saved = Checkpoint.load(checkpoint_file, "dump")
    assert (saved.line, saved.in_flight_line) == (40, 60)  # chunk 3 was sent, its answer lost

    engine = EmbeddedEngine(tmp_path / "data", ArabicAnalyzer())
    report = reindex(
        engine,
        "lib",
        records(100),
        RejectsFile(tmp_path / "r.jsonl"),
        Checkpoint.load(checkpoint_file, "dump"),
        chunk_size=20,
    )
    assert report.resumed_from_line == 40
    # Chunk 3's documents are in the engine already, but they are not "replaced": what existed
    # before that request was saved with it.  Exactly 100 documents, counted exactly.
    assert (report.count, report.run.indexed, report.run.replaced) == (100, 100, 0)
    assert engine.count("lib") == 100
