"""A stalled node (SIGSTOP on the real JVM, then SIGCONT), as a long GC pause or a frozen VM.

While the node is stopped the client times out and resends its bulk request; when the node wakes
it applies every copy.  The counts must stay exact (no "replaced" for a dump without duplicate
ids, a count check that passes), and `serve` must answer quickly instead of queueing behind it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.engines import Engine, open_engine
from searcher.errors import SearcherError
from searcher.models import Document
from tests.conftest import SERVER_ENGINES, cluster_cli_env, cluster_settings
from tests.stall import is_stopped, stalled

pytestmark = pytest.mark.engines
CLI = [sys.executable, "-m", "searcher.cli"]
# A short client timeout keeps the test short: the node is stopped for longer than one attempt
# but shorter than all of them (SEARCHER_MAX_RETRIES=3 resends), so the run goes through.
TIMEOUT, STALL = 2, 5


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def write_dump(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            record = {"id": f"d{i}", "title": f"وثيقة {i}", "body": f"نص الكتاب رقم {i}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def env_for(name: str, data: Path) -> dict[str, str]:
    return cluster_cli_env(
        name, data, SEARCHER_REQUEST_TIMEOUT=str(TIMEOUT), SEARCHER_MAX_RETRIES="3"
    )


def progress(path: Path) -> dict:
    return json.loads(path.read_text() or "{}") if path.exists() else {}


def landed(engine: Engine, index: str) -> int:
    """Documents searchable in `index` so far (0 while it is still being created)."""
    try:
        return engine.count(index)
    except SearcherError:
        return 0


def wait_until(predicate, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.parametrize("name", SERVER_ENGINES)
@pytest.mark.parametrize("command", ["reindex", "index"])
def test_a_stall_longer_than_the_client_timeout_keeps_counts_exact(
    name: str, command: str, tmp_path: Path
) -> None:
    total, target = 4000, unique("stall")
    dump = write_dump(tmp_path / "dump.jsonl", total)
    data = tmp_path / "data"
    rejects = tmp_path / "rejects.jsonl"
    args = [command, str(dump), "--index", target, "--chunk-size", "100", "--json"]
    run = subprocess.Popen(
        [*CLI, *args, "--rejects", str(rejects)],
        env=env_for(name, data),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = cluster_settings(name).url
    engine = open_engine(cluster_settings(name))
    try:
        # Stall once the run is well under way (a reindex's checkpoint says how far it got; an
        # index run shows up as documents in the target).
        checkpoint = data / "checkpoints" / f"{name}-{target}.json"
        if command == "reindex":
            wait_until(lambda: progress(checkpoint).get("line", 0) >= 500, "500 lines")
        else:
            wait_until(lambda: landed(engine, target) >= 300, "300 documents")
        with stalled(url, STALL):
            time.sleep(STALL)
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        report = json.loads(out)
        assert (report["indexed"], report["replaced"], report["rejected"]) == (total, 0, 0)
        engine.refresh(target)
        assert engine.count(target) == total
    finally:
        if run.poll() is None:
            run.kill()
        for index in [target, *engine.indices(f"{target}-")]:
            engine.delete_index(index)
        engine.close()


def test_a_run_killed_while_its_request_waits_on_a_stalled_node_resumes_exactly(
    tmp_path: Path,
) -> None:
    name, total, alias = "opensearch", 3000, unique("dead")
    dump = write_dump(tmp_path / "dump.jsonl", total)
    data = tmp_path / "data"
    checkpoint = data / "checkpoints" / f"{name}-{alias}.json"
    args = ["reindex", str(dump), "--index", alias, "--chunk-size", "100", "--json"]
    env = {**env_for(name, data), "SEARCHER_REQUEST_TIMEOUT": "60"}
    run = subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    engine = open_engine(cluster_settings(name))
    try:
        wait_until(lambda: progress(checkpoint).get("line", 0) >= 500, "500 lines")
        with stalled(cluster_settings(name).url, 60):
            # The run sends its next request into the stopped node and dies waiting for the
            # answer; the node applies the request when it wakes.
            line = progress(checkpoint)["line"]
            wait_until(lambda: progress(checkpoint).get("in_flight_line", 0) > line, "a send")
            time.sleep(0.5)
            run.kill()
            run.communicate()
        rerun = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True)
        assert rerun.returncode == 0, rerun.stderr
        report = json.loads(rerun.stdout)
        assert report["resumed_from_line"] >= 500
        assert (report["indexed"], report["replaced"], report["count"]) == (total, 0, total)
    finally:
        if run.poll() is None:
            run.kill()
        for index in engine.indices(f"{alias}-"):
            engine.delete_index(index)
        engine.close()


@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_serve_answers_quickly_while_the_node_is_stalled(name: str) -> None:
    # Searches get a short timeout and one retry; bulk indexing keeps its long timeout.
    settings = cluster_settings(name, search_timeout=1, search_max_retries=1, request_timeout=60)
    index = unique("serve")
    settings = settings.model_copy(update={"index": index})
    engine = open_engine(settings)
    engine.create_index(index)
    engine.bulk(index, [Document(id="1", title="الكتاب", body="نص الكتاب المفيد")])
    engine.refresh(index)
    client = TestClient(create_app(settings, engine))
    try:
        assert client.get("/search", params={"q": "الكتاب"}).json()["total"] == 1
        written: list[bool] = []
        with stalled(settings.url, 20) as pid:
            health = client.get("/health")
            assert health.status_code == 503 and is_stopped(pid), "waited for the node"
            assert health.json()["status"] == "engine unavailable"
            search = client.get("/search", params={"q": "الكتاب"})
            assert search.status_code == 503 and is_stopped(pid), "waited for the node"
            # A write started now waits the node out (its own, long timeout).
            writer = threading.Thread(
                target=lambda: written.extend(
                    item.ok for item in engine.bulk(index, [Document(id="2", body="نص")])
                )
            )
            writer.start()
        writer.join()
        assert written == [True]
        engine.refresh(index)
        assert client.get("/health").json()["documents"] == 2
    finally:
        engine.delete_index(index)
        engine.close()
