"""Engine faults against the real Elasticsearch and OpenSearch nodes: down, killed mid-reindex,
429 backpressure, read-only and closed indices, an alias on two indices.  Nothing may be lost or
doubled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench.corpus import documents, write_jsonl
from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.errors import SearcherError
from searcher.indexer import RejectsFile, index_records
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url

pytestmark = pytest.mark.engines
ROOT = Path(__file__).parents[1]
CLI = [sys.executable, "-m", "searcher.cli"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(params=SERVER_ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def node_url(engine_name: str) -> str:
    return engine_url(engine_name)


@pytest.fixture
def node(engine_name: str, node_url: str) -> Engine:
    """A fresh client on the node (the kill test restarts it under the session's client)."""
    return open_engine(Settings(engine=engine_name, url=node_url))


def cli(engine: str, url: str, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SEARCHER_ENGINE": engine,
        "SEARCHER_URL": url,
        "SEARCHER_DATA_DIR": str(data),
    }
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=600)


def all_ids(engine: Engine, index: str) -> list[str]:
    body = {"size": 10000, "_source": False, "query": {"match_all": {}}}
    hits = engine.client.search(index=index, body=body)["hits"]["hits"]  # type: ignore[attr-defined]
    return [hit["_id"] for hit in hits]


@pytest.mark.parametrize("engine", SERVER_ENGINES)
def test_engine_down_at_start_is_a_clear_error_and_writes_nothing(
    engine: str, tmp_path: Path
) -> None:
    dump = write_jsonl(tmp_path / "d.jsonl", 5)
    done = cli(engine, "http://127.0.0.1:9", tmp_path / "data", "index", str(dump))
    assert done.returncode == 1
    assert "unreachable" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "rejects").exists()


def test_node_killed_mid_reindex_then_rerun_holds_every_document_once(
    engine_name: str, node: Engine, node_url: str, tmp_path: Path
) -> None:
    alias, total = unique("crash"), 3000
    dump = write_jsonl(tmp_path / "dump.jsonl", total)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "SEARCHER_ENGINE": engine_name,
        "SEARCHER_URL": node_url,
        "SEARCHER_DATA_DIR": str(data),
        "SEARCHER_MAX_RETRIES": "0",
    }
    run = subprocess.Popen(
        [*CLI, "reindex", str(dump), "--index", alias, "--chunk-size", "100"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    checkpoint = data / "checkpoints" / f"{engine_name}-{alias}.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if checkpoint.exists() and json.loads(checkpoint.read_text() or "{}").get("line", 0) >= 500:
            break
        time.sleep(0.02)
    engines = [sys.executable, str(ROOT / "scripts" / "nodes.py")]
    subprocess.run([*engines, "kill", engine_name], check=True, capture_output=True)
    _, err = run.communicate(timeout=300)
    assert run.returncode == 1 and "unreachable" in err
    subprocess.run([*engines, "resume", engine_name], check=True, capture_output=True)

    rerun = cli(
        engine_name,
        node_url,
        data,
        "reindex",
        str(dump),
        "--index",
        alias,
        "--json",
        "--chunk-size",
        "100",
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["resumed_from_line"] >= 500
    ids = all_ids(node, alias)
    assert len(ids) == total and sorted(ids) == sorted(f"doc-{i}" for i in range(total))
    node.delete_index(report["index"])


def _write_rejections(url: str) -> int:
    with urllib.request.urlopen(f"{url}/_nodes/stats/thread_pool") as response:
        nodes = json.load(response)["nodes"].values()
    return sum(node["thread_pool"]["write"]["rejected"] for node in nodes)


# Several shards: a bulk request fans out to one request per shard, and the node may refuse
# some of them (429) while it applies the others, so the retried items come back last.
@pytest.mark.parametrize("shards", [1, 3])
def test_429_backpressure_is_retried_until_everything_lands(
    engine_name: str, node: Engine, node_url: str, tmp_path: Path, shards: int
) -> None:
    index = unique("busy")
    layout = Settings(engine=engine_name, url=node_url, shards=shards)  # type: ignore[arg-type]
    open_engine(layout).create_index(index)
    docs = list(documents(1200))
    writers, per = 6, 200
    before = _write_rejections(node_url)
    reports, errors = [], []

    def writer(n: int) -> None:
        own = open_engine(layout)
        part = docs[n * per : (n + 1) * per]
        try:
            reports.append(
                index_records(
                    own,
                    index,
                    enumerate(part, 1),
                    RejectsFile(tmp_path / f"r{n}.jsonl"),
                    chunk_size=20,
                )
            )
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert _write_rejections(node_url) > before, "the node never pushed back"
        assert sum(r.rejected for r in reports) == 0
        assert node.count(index) == len(docs)
    finally:
        node.delete_index(index)


def test_read_only_index_rejects_each_document_with_the_reason(
    engine_name: str, node: Engine, node_url: str, tmp_path: Path
) -> None:
    index = unique("ro")
    node.create_index(index)
    node.client.indices.put_settings(index=index, body={"index.blocks.write": True})  # type: ignore[attr-defined]
    try:
        done = cli(
            engine_name,
            node_url,
            tmp_path,
            "index",
            str(write_jsonl(tmp_path / "d.jsonl", 30)),
            "--index",
            index,
            "--json",
        )
        assert done.returncode == 3
        assert json.loads(done.stdout)["rejected"] == 30
        assert "cluster_block_exception" in done.stderr
    finally:
        node.client.indices.put_settings(index=index, body={"index.blocks.write": False})  # type: ignore[attr-defined]
        node.delete_index(index)


def test_closed_index_is_a_clear_error(
    engine_name: str, node: Engine, node_url: str, tmp_path: Path
) -> None:
    index = unique("closed")
    node.create_index(index)
    node.client.indices.close(index=index)  # type: ignore[attr-defined]
    try:
        with pytest.raises(SearcherError, match=r"index_closed_exception|closed"):
            node.search(index, parse("كتاب", ArabicAnalyzer()))
        done = cli(engine_name, node_url, tmp_path, "search", "كتاب", "--index", index)
        assert done.returncode == 1 and "closed" in done.stderr and "Traceback" not in done.stderr
    finally:
        node.delete_index(index)


def test_alias_on_two_indices(
    engine_name: str, node: Engine, node_url: str, tmp_path: Path
) -> None:
    alias, first, second = unique("two"), unique("one"), unique("one")
    for name in (first, second):
        node.create_index(name)
    node.client.indices.update_aliases(
        body={
            "actions": [  # type: ignore[attr-defined]
                {"add": {"index": first, "alias": alias}},
                {"add": {"index": second, "alias": alias}},
            ]
        }
    )
    dump = write_jsonl(tmp_path / "d.jsonl", 20)
    try:
        # Writing through it cannot pick an index: said once, nothing sent (tests/test_bulk_limits).
        done = cli(engine_name, node_url, tmp_path, "index", str(dump), "--index", alias, "--json")
        assert done.returncode == 1 and "no write index" in done.stderr
        # A reindex repairs it: one atomic swap leaves the alias on the new index only.
        done = cli(
            engine_name, node_url, tmp_path, "reindex", str(dump), "--index", alias, "--json"
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert sorted(report["previous"]) == sorted([first, second])
        assert node.alias_targets(alias) == [report["index"]]
        assert node.count(alias) == 20
        node.delete_index(report["index"])
    finally:
        for name in (first, second):
            node.delete_index(name)
