"""The embedded engine under faults: a SIGKILLed indexer, a second writer, a full disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bench.corpus import write_jsonl
from searcher.arabic import ArabicAnalyzer
from searcher.engines.embedded import EmbeddedEngine
from searcher.models import Document
from searcher.query import parse

CLI = [sys.executable, "-m", "searcher.cli"]


def cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args, "--data-dir", str(data)], capture_output=True, text=True)


def test_sigkill_during_indexing_leaves_the_last_commit_readable(tmp_path: Path) -> None:
    dump = write_jsonl(tmp_path / "big.jsonl", 6000)
    data = tmp_path / "data"
    indexer = subprocess.Popen(
        [*CLI, "index", str(dump), "--data-dir", str(data), "--chunk-size", "200"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reader = EmbeddedEngine(data, ArabicAnalyzer())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (data / "indices" / "searcher" / "meta.json").exists() and reader.count(
            "searcher"
        ) >= 600:
            break
        time.sleep(0.05)
    indexer.send_signal(signal.SIGKILL)
    indexer.wait()
    assert indexer.returncode == -signal.SIGKILL

    survivor = EmbeddedEngine(data, ArabicAnalyzer())
    committed = survivor.count("searcher")
    assert 600 <= committed < 6000
    assert committed % 200 == 0  # whole chunks only: each commit is atomic
    assert survivor.search("searcher", parse("الكتاب OR بوتين", ArabicAnalyzer())).total > 0
    survivor.close()

    rerun = cli("index", str(dump), "--json", data=data)  # the lock died with the process
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["replaced"] == committed
    assert EmbeddedEngine(data, ArabicAnalyzer()).count("searcher") == 6000


def test_a_writer_in_another_process_gets_a_clear_locked_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = EmbeddedEngine(data, ArabicAnalyzer())
    holder.create_index("searcher")
    holder.bulk("searcher", [Document(id="1", body="نص")])  # keeps its writer, and the lock
    dump = tmp_path / "one.jsonl"
    dump.write_text('{"id": "2", "body": "نص آخر"}\n', encoding="utf-8")
    blocked = cli("index", str(dump), data=data)
    assert blocked.returncode == 1
    assert "being written by another process" in blocked.stderr
    holder.close()
    assert cli("index", str(dump), data=data).returncode == 0
    assert EmbeddedEngine(data, ArabicAnalyzer()).count("searcher") == 2


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX file size limits")
def test_a_full_disk_is_reported_and_the_last_commit_survives(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ok = EmbeddedEngine(data, ArabicAnalyzer())
    ok.create_index("searcher")
    ok.bulk("searcher", [Document(id="before", body="قبل امتلاء القرص")])
    ok.close()
    # RLIMIT_FSIZE makes every write past 300 kB fail with EFBIG: a disk that is full for us.
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
        from searcher.cli import main
        sys.argv = ["searcher", "index", {str(write_jsonl(tmp_path / "d.jsonl", 400))!r},
                    "--data-dir", {str(data)!r}]
        main()
        """
    )
    full = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert full.returncode == 1
    assert "failed" in full.stderr and "full disk or a file size limit" in full.stderr
    assert "Traceback" not in full.stderr
    after = EmbeddedEngine(data, ArabicAnalyzer())
    assert after.count("searcher") >= 1
    assert [h.id for h in after.search("searcher", parse("امتلاء", ArabicAnalyzer())).hits] == [
        "before"
    ]


def test_a_write_that_fails_part_way_leaves_nothing_pending_and_no_lock(tmp_path: Path) -> None:
    # Issue #9 item 9.  A document that cannot be encoded (a lone surrogate slips past
    # validation through model_construct, as a library caller's could) in the middle of a batch.
    data = tmp_path / "data"
    engine = EmbeddedEngine(data, ArabicAnalyzer())
    engine.create_index("searcher")
    engine.bulk("searcher", [Document(id="kept", body="نص محفوظ")])
    engine.refresh("searcher")
    bad = Document.model_construct(id="bad", title="\ud800", body="نص", tags=[])
    batch = [Document(id="first", body="مكتبة أولى"), bad, Document(id="last", body="مكتبة أخيرة")]
    with pytest.raises((TypeError, UnicodeError)):  # orjson or tantivy refuse to encode it
        engine.bulk("searcher", batch)
    # The lock is free: another process writes at once.
    dump = tmp_path / "other.jsonl"
    dump.write_text('{"id": "other", "body": "من عملية أخرى"}\n', encoding="utf-8")
    assert cli("index", str(dump), data=data).returncode == 0
    # The next successful write in this process commits only itself.
    engine.bulk("searcher", [Document(id="next", body="نص لاحق")])
    engine.refresh("searcher")
    assert engine.count("searcher") == 3  # kept, other, next
    assert engine.search("searcher", parse("مكتبة", ArabicAnalyzer())).total == 0
