"""Overlapping reindexes on real nodes: one runs, the other is told so; nothing auto-creates an
index; an index without the Arabic analysis never gets the alias.

The bug this guards (issue #15): run A pruned run B's half-built generation, B's next bulk request
auto-created that name with default mappings, B's count check passed, B swapped the alias onto it
and pruned A's good index.  `search الرحمن` went from 1,032 hits to 0.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.errors import IndexNotFound, LeaseHeld, LeaseLost, SearcherError
from searcher.indexer import RejectsFile, index_records
from searcher.lease import Holder
from searcher.models import Document
from searcher.reindex import Checkpoint, reindex
from tests.conftest import FIXTURES, cluster_cli_env, cluster_settings

pytestmark = pytest.mark.engines
QURAN = FIXTURES / "quran_sample.jsonl"
CLI = [sys.executable, "-m", "searcher.cli"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def body_analyzer(engine: Engine, name: str) -> str | None:
    """The analyzer the `body` field of `name` (index or alias) is mapped with."""
    mappings = engine.client.indices.get_mapping(index=name)  # type: ignore[attr-defined]
    (mapping,) = dict(mappings).values()
    return mapping["mappings"].get("properties", {}).get("body", {}).get("analyzer")


def drop_generations(engine: Engine, alias: str) -> None:
    for index in engine.indices(f"{alias}-"):
        engine.delete_index(index)


def docs(n: int) -> list[tuple[int, Document]]:
    return [(i, Document(id=f"d{i}", body=f"بسم الله الرحمن الرحيم {i}")) for i in range(1, n + 1)]


# -- two runs on one alias ------------------------------------------------------------------------


def test_a_run_started_inside_another_is_refused_and_the_alias_keeps_its_analysis(
    cluster: Engine, tmp_path: Path
) -> None:
    alias = unique("overlap")
    outcome: dict[str, str] = {}

    def records_of_run_b() -> Iterator:
        # Run B has created its generation and is about to send its first chunk when run A (a
        # cron job, say) runs from start to finish.
        try:
            reindex(
                cluster,
                alias,
                read(QURAN),
                RejectsFile(tmp_path / "a.rejects"),
                Checkpoint.load(tmp_path / "a.json", "a"),
            )
            outcome["a"] = "finished"
        except LeaseHeld as refused:
            outcome["a"] = str(refused)
        yield from read(QURAN)

    try:
        report = reindex(
            cluster,
            alias,
            records_of_run_b(),
            RejectsFile(tmp_path / "b.rejects"),
            Checkpoint.load(tmp_path / "b.json", "b"),
        )
        assert "another reindex of" in outcome["a"] and "--take-over" in outcome["a"]
        assert cluster.alias_targets(alias) == [report.index]
        assert body_analyzer(cluster, alias) == "arabic_light"
        assert cluster.count(alias) == sum(1 for _ in read(QURAN))
    finally:
        drop_generations(cluster, alias)


def _reindex_from_a_pipe(
    name: str, data: Path, alias: str, first_lines: list[str]
) -> subprocess.Popen[str]:
    """`reindex -` fed only `first_lines` so far: mid-build and holding its lease, however fast
    the machine, until the test sends the rest (`communicate`)."""
    args = ["reindex", "-", "--format", "jsonl", "--index", alias, "--chunk-size", "50", "--json"]
    run = subprocess.Popen(
        [*CLI, *args],
        env=cluster_cli_env(name, data),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert run.stdin is not None
    run.stdin.write("".join(first_lines))
    run.stdin.flush()
    return run


def _write_dump(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i, doc in docs(n):
            out.write(json.dumps({"id": doc.id, "body": f"{doc.body} رقم {i}"}, ensure_ascii=False))
            out.write("\n")
    return path


def _wait_for_checkpoint(path: Path, line: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if path.exists() and json.loads(path.read_text() or "{}").get("line", 0) >= line:
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached line {line}")


@pytest.mark.parametrize("name", ["opensearch", "elasticsearch"])
def test_two_reindex_processes_on_one_alias(name: str, tmp_path: Path) -> None:
    alias, total = unique("race"), 4000
    lines = _write_dump(tmp_path / "dump.jsonl", total).read_text("utf-8").splitlines(True)
    first_data, second_data = tmp_path / "cron", tmp_path / "person"
    first = _reindex_from_a_pipe(name, first_data, alias, lines[:2000])
    engine = open_engine(cluster_settings(name))
    try:
        _wait_for_checkpoint(first_data / "checkpoints" / f"{name}-{alias}.json", 200)
        second = subprocess.run(
            [*CLI, "reindex", str(tmp_path / "dump.jsonl"), "--index", alias, "--json"],
            env=cluster_cli_env(name, second_data),
            capture_output=True,
            text=True,
        )
        out, err = first.communicate("".join(lines[2000:]), timeout=600)
        assert first.returncode == 0, err
        assert second.returncode == 1
        assert "another reindex of" in second.stderr and "--take-over" in second.stderr
        assert "Traceback" not in second.stderr
        report = json.loads(out)
        assert engine.alias_targets(alias) == [report["index"]]
        assert engine.count(alias) == total
        assert body_analyzer(engine, alias) == "arabic_light"
    finally:
        if first.poll() is None:
            first.kill()
        drop_generations(engine, alias)
        engine.close()


# -- the lease: expiry, take-over, a dead holder --------------------------------------------------


def test_a_live_lease_elsewhere_is_refused_and_take_over_steals_it(cluster: Engine) -> None:
    alias = unique("lease")
    elsewhere = Holder(host="another-machine", pid=4242)
    theirs = cluster.lease(alias, seconds=300, holder=elsewhere)
    try:
        with pytest.raises(LeaseHeld) as refused:
            cluster.lease(alias, seconds=300)
        message = str(refused.value)
        assert "another-machine" in message and "4242" in message and "--take-over" in message
        ours = cluster.lease(alias, seconds=300, take_over=True)
        # The run we took over from finds out at its next heartbeat, before any alias swap.
        with pytest.raises(LeaseLost, match="taken over"):
            theirs.renew()
        ours.release()
        cluster.lease(alias, seconds=300).release()  # released: free for the next run
    finally:
        theirs.stop()


def test_an_expired_lease_is_taken_over_without_asking(cluster: Engine) -> None:
    alias = unique("expired")
    stale = cluster.lease(alias, seconds=1, holder=Holder(host="another-machine", pid=1))
    stale.stop()  # its process died: no more heartbeats
    time.sleep(1.5)
    cluster.lease(alias, seconds=300).release()


def test_a_lease_whose_process_is_gone_on_this_machine_is_taken_over(cluster: Engine) -> None:
    alias = unique("dead")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    )
    holder = Holder(host=socket.gethostname(), pid=int(finished.stdout))
    dead = cluster.lease(alias, seconds=300, holder=holder)
    dead.stop()
    cluster.lease(alias, seconds=300).release()


def test_embedded_lease_is_a_lock_file_the_second_run_sees(embedded: Engine) -> None:
    first = embedded.lease("lib", seconds=300)
    with pytest.raises(LeaseHeld, match=f"pid {os.getpid()}"):
        embedded.lease("lib", seconds=300)
    first.release()
    embedded.lease("lib", seconds=300).release()


def test_a_killed_run_is_resumed_by_the_next_one_on_the_same_machine(tmp_path: Path) -> None:
    name, alias, total = "opensearch", unique("killed"), 3000
    lines = _write_dump(tmp_path / "dump.jsonl", total).read_text("utf-8").splitlines(True)
    data = tmp_path / "data"
    run = _reindex_from_a_pipe(name, data, alias, lines[:2000])
    engine = open_engine(cluster_settings(name))
    try:
        _wait_for_checkpoint(data / "checkpoints" / f"{name}-{alias}.json", 300)
        run.send_signal(signal.SIGKILL)  # no cleanup at all: the lease stays behind, unexpired
        run.communicate()
        args = ["reindex", "-", "--format", "jsonl", "--index", alias, "--json"]
        rerun = subprocess.run(
            [*CLI, *args],
            input="".join(lines),
            env=cluster_cli_env(name, data),
            capture_output=True,
            text=True,
        )
        assert rerun.returncode == 0, rerun.stderr
        assert json.loads(rerun.stdout)["resumed_from_line"] >= 300
        assert engine.count(alias) == total
    finally:
        drop_generations(engine, alias)
        engine.close()


# -- no write ever creates an index ---------------------------------------------------------------


@pytest.mark.parametrize("through_alias", [False, True], ids=["index", "alias"])
def test_a_target_deleted_mid_run_is_an_error_not_a_fresh_index(
    cluster: Engine, tmp_path: Path, through_alias: bool
) -> None:
    index = unique("gone")
    target = unique("name") if through_alias else index
    cluster.create_index(index)
    if through_alias:
        cluster.point_alias(target, index)

    def records() -> Iterator:
        for line, doc in docs(40):
            if line == 21:
                cluster.delete_index(index)  # someone (another run's prune) deletes it
            yield line, doc

    try:
        with pytest.raises(IndexNotFound, match="deleted"):
            index_records(cluster, target, records(), RejectsFile(tmp_path / "r"), chunk_size=10)
        assert not cluster.exists(index) and not cluster.exists(target)
    finally:
        cluster.delete_index(index)


# -- the last check before the swap ---------------------------------------------------------------


def test_an_index_without_the_arabic_analysis_never_gets_the_alias(
    cluster: Engine, tmp_path: Path
) -> None:
    alias = unique("bare")
    # A generation made some other way (by an auto-create, as the bug did): default mappings.
    bare = f"{alias}-20250101000000000000"
    cluster.client.indices.create(index=bare)  # type: ignore[attr-defined]
    checkpoint = Checkpoint.load(tmp_path / "c.json", "dump")
    checkpoint.index = bare
    checkpoint.save()
    try:
        with pytest.raises(SearcherError, match="analysis"):
            reindex(
                cluster,
                alias,
                docs(30),
                RejectsFile(tmp_path / "r"),
                Checkpoint.load(tmp_path / "c.json", "dump"),
            )
        assert cluster.alias_targets(alias) == []
    finally:
        drop_generations(cluster, alias)
