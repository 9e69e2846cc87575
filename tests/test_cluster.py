"""Scale-out on a real 3-node cluster (scripts/nodes.py, loopback): 3 shards, 1 replica, and one
node killed in the middle of a reindex.

What must hold: searches during the outage return complete results or say they are partial;
the reindex finishes, or stops with a clear message and finishes on rerun, with every id
exactly once; the cluster is green again when the node is back.

The module starts its cluster itself (and stops it) when the suite runs with test nodes (`make
test`, .ci/run, scripts/with-nodes.sh), or uses SEARCHER_TEST_CLUSTER_<PRODUCT>_URLS if set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.corpus import write_jsonl
from searcher.arabic import ArabicAnalyzer
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.indexer import RejectsFile
from searcher.models import SearchResponse
from searcher.query import parse
from searcher.reindex import Checkpoint, reindex
from searcher.settings import Settings
from tests.conftest import ENGINE_URL_VARS, skip_or_fail

pytestmark = pytest.mark.engines
ROOT = Path(__file__).parents[1]
NODES = [sys.executable, str(ROOT / "scripts" / "nodes.py")]
CLI = [sys.executable, "-m", "searcher.cli"]
PRODUCTS = ["elasticsearch", "opensearch"]
OLD, NEW = 1000, 4000  # documents in the live generation, and in the one being built
KILL_AFTER_LINE = 400  # of NEW: the node dies with most of the load still to go
QUERY = parse("الكتاب", ArabicAnalyzer())  # in the generated documents' vocabulary


@dataclass(frozen=True)
class Cluster:
    product: str
    urls: list[str]

    def member(self, number: int) -> str:
        return f"cluster-{self.product}-{number}"


def nodes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NODES, *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module", params=PRODUCTS)
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    product = request.param
    given = os.environ.get(f"SEARCHER_TEST_CLUSTER_{product.upper()}_URLS")
    if given:
        yield Cluster(product, given.split(","))
        return
    if not os.environ.get(ENGINE_URL_VARS[product]):
        skip_or_fail(f"no test nodes for {product}: run the suite with `make test`")
    started = nodes("start", f"cluster-{product}")
    if started.returncode != 0:
        pytest.fail(f"the {product} cluster did not start:\n{started.stderr[-3000:]}")
    line = next(line for line in started.stdout.splitlines() if "_URLS=" in line)
    try:
        yield Cluster(product, line.split("=", 1)[1].split(","))
    finally:
        nodes("stop", f"cluster-{product}")


def health(url: str, wait: str = "") -> dict:
    """Cluster health as seen from `url` (`wait`: extra query, e.g. wait_for_status=green)."""
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health?{wait}", timeout=90) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # 408: the wait timed out; the body says why
        return json.load(error)


def wait_green(url: str, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        state = health(url, "wait_for_status=green&wait_for_nodes=3&timeout=30s")
        if state.get("status") == "green" and state["number_of_nodes"] == 3:
            return state
        if time.monotonic() > deadline:
            return state
        time.sleep(1)


def shard_nodes(url: str, index: str) -> set[str]:
    with urllib.request.urlopen(f"{url}/_cat/shards/{index}?format=json") as response:
        return {shard["node"] for shard in json.load(response) if shard.get("node")}


def all_ids(engine: Engine, alias: str) -> list[str]:
    body = {"size": NEW + 1, "_source": False, "query": {"match_all": {}}}
    hits = engine.client.search(index=alias, body=body)["hits"]["hits"]  # type: ignore[attr-defined]
    return [hit["_id"] for hit in hits]


def complete_or_partial(response: SearchResponse, complete_total: int) -> bool:
    return response.total == complete_total or response.partial


# Starting three nodes on two busy cores takes minutes; the default per-test limit is 5.
@pytest.mark.timeout(1200)
def test_a_node_killed_mid_reindex(cluster: Cluster, tmp_path: Path) -> None:
    product, urls = cluster.product, cluster.urls
    layout = {"engine": product, "shards": 3, "replicas": 1}
    engine = open_engine(Settings(url=",".join(urls), **layout))  # type: ignore[arg-type]
    alias = f"scale-{uuid.uuid4().hex[:8]}"

    # The live generation: 3 shards with a replica each, spread over the three nodes.
    old = reindex(
        engine,
        alias,
        read(write_jsonl(tmp_path / "old.jsonl", OLD, seed=1)),
        RejectsFile(tmp_path / "old-rejects.jsonl"),
        Checkpoint.load(tmp_path / "old.json", "old"),
    )
    assert old.count == OLD and health(urls[0])["status"] == "green"
    whole = engine.search(alias, QUERY).total  # what a complete answer holds
    assert whole > 0

    # The next generation, built by the CLI in its own process through node 1 only: the nodes
    # that die are never the ones it talks to, so what it meets is a shard going away.
    dump = write_jsonl(tmp_path / "new.jsonl", NEW, seed=2)
    data = tmp_path / "data"
    env = {
        **os.environ,
        "SEARCHER_ENGINE": product,
        "SEARCHER_URL": urls[0],
        "SEARCHER_SHARDS": "3",
        "SEARCHER_REPLICAS": "1",
        "SEARCHER_SHARD_TIMEOUT": "5s",
        "SEARCHER_REQUEST_TIMEOUT": "120",
        "SEARCHER_DATA_DIR": str(data),
    }
    command = [*CLI, "reindex", str(dump), "--index", alias, "--chunk-size", "100", "--json"]
    run = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    checkpoint = data / "checkpoints" / f"{product}-{alias}.json"
    deadline = time.monotonic() + 180
    saved: dict = {}
    while saved.get("line", 0) < KILL_AFTER_LINE and time.monotonic() < deadline:
        time.sleep(0.02)
        if checkpoint.exists():
            saved = json.loads(checkpoint.read_text() or "{}")
    building = saved["index"]
    # The victim: node 2 or 3, whichever holds a shard of the index being built (with no
    # replicas during the load, that shard has no other copy).
    holders = shard_nodes(urls[0], building)
    victim = next(n for n in (3, 2) if f"{product}-c{n}" in holders)
    survivors = [url for i, url in enumerate(urls, start=1) if i != victim]
    assert nodes("kill", cluster.member(victim)).returncode == 0

    # The outage: searches through the surviving nodes.
    reader = open_engine(Settings(url=",".join(survivors), **layout))  # type: ignore[arg-type]
    live = [reader.search(alias, QUERY) for _ in range(20)]
    half_built = [reader.search(building, QUERY) for _ in range(5)]
    cli_env = {**env, "SEARCHER_URL": ",".join(survivors), "SEARCHER_INDEX": building}
    cli = subprocess.run(
        [*CLI, "search", "الكتاب", "--json"],
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=120,
    )
    out, err = run.communicate(timeout=600)

    assert nodes("resume", cluster.member(victim)).returncode == 0
    back = wait_green(urls[0])
    assert back["status"] == "green" and back["number_of_nodes"] == 3, back

    if run.returncode != 0:  # it stopped at the missing shard: a rerun resumes it
        assert run.returncode == 1 and "rerun" in err and "Traceback" not in err, err
        rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        out = rerun.stdout
        assert json.loads(out)["resumed_from_line"] >= KILL_AFTER_LINE
    report = json.loads(out)

    try:
        # Searches during the outage: complete, or they said they were partial.
        assert all(complete_or_partial(r, whole) for r in live), [
            (r.total, r.partial) for r in live
        ]
        assert all(r.partial and r.shards and r.shards.failed >= 1 for r in half_built)
        assert json.loads(cli.stdout)["partial"] is True
        # Every id exactly once, behind the alias, on a green index with its replicas.
        assert engine.alias_targets(alias) == [report["index"]] == [building]
        ids = all_ids(engine, alias)
        assert len(ids) == NEW and sorted(ids) == sorted(f"doc-{i}" for i in range(NEW))
        assert engine.count(alias) == NEW
        final = health(urls[0], "level=indices")["indices"][building]
        assert (final["status"], final["number_of_shards"], final["number_of_replicas"]) == (
            "green",
            3,
            1,
        )
    finally:
        for index in engine.indices(f"{alias}-"):
            engine.delete_index(index)
        engine.close()
        reader.close()
