"""A shard that is not available: results built without it say so (`partial: true` with shard
counts, in the library response, the CLI (a warning line and --json) and the API, and no cache
keeps them), and documents bound for it are not rejected (the run stops for a rerun).

A real partial result on a single node: an index of two shards that may place only one shard
per node, so the other stays unassigned (the index is red), as when a node holding it is down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.engines.template import index_body
from searcher.errors import EngineUnavailable
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url, fixture_lines

pytestmark = pytest.mark.engines
ANALYZER = ArabicAnalyzer()
LINES = fixture_lines("news_ar.txt")


def http(method: str, url: str, body: str = "", kind: str = "application/json") -> str:
    request = urllib.request.Request(
        url, data=body.encode() or None, method=method, headers={"Content-Type": kind}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


@pytest.fixture(params=SERVER_ENGINES)
def red_index(request: pytest.FixtureRequest) -> Iterator[tuple[Settings, Engine]]:
    """(settings, engine) with `settings.index` naming a red index that holds documents."""
    name = request.param
    settings = Settings(engine=name, url=engine_url(name), index=f"red-{uuid.uuid4().hex[:8]}")
    engine = open_engine(settings)
    body = index_body(ANALYZER)
    body["settings"]["index"].update(
        {"number_of_shards": 2, "routing.allocation.total_shards_per_node": 1}
    )
    base = f"{settings.url}/{settings.index}"
    http("PUT", f"{base}?wait_for_active_shards=0", json.dumps(body))
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            shards = json.loads(
                http("GET", f"{settings.url}/_cat/shards/{settings.index}?format=json")
            )
            if any(shard["state"] == "STARTED" for shard in shards):
                break
            time.sleep(0.2)
        # Each line once; those routed to the unassigned shard fail after a second.
        actions = "".join(
            json.dumps({"index": {"_id": str(i)}}) + "\n" + json.dumps({"body": line}) + "\n"
            for i, line in enumerate(LINES)
        )
        http("POST", f"{base}/_bulk?timeout=1s&refresh=true", actions, "application/x-ndjson")
        yield settings, engine
    finally:
        engine.delete_index(settings.index)
        engine.close()


QUERY = "ترامب"


def test_the_response_says_it_is_partial(red_index: tuple[Settings, Engine]) -> None:
    settings, engine = red_index
    response = engine.search(settings.index, parse(QUERY, ANALYZER))
    assert response.hits, "the shard that answered holds matches"
    assert response.partial is True
    assert response.shards is not None
    assert (response.shards.total, response.shards.successful, response.shards.failed) == (2, 1, 1)


def test_the_cli_warns_and_its_json_says_partial(
    red_index: tuple[Settings, Engine], tmp_path: Path
) -> None:
    settings, _ = red_index
    env = {
        **os.environ,
        "SEARCHER_ENGINE": settings.engine,
        "SEARCHER_URL": settings.url,
        "SEARCHER_INDEX": settings.index,
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    cli = [sys.executable, "-m", "searcher.cli", "search", QUERY]
    human = subprocess.run(cli, capture_output=True, text=True, env=env, timeout=60)
    assert human.returncode == 0, human.stderr
    assert "PARTIAL results: 1 of 2 shards did not answer" in human.stderr
    as_json = subprocess.run([*cli, "--json"], capture_output=True, text=True, env=env, timeout=60)
    data = json.loads(as_json.stdout)
    assert data["partial"] is True
    assert data["shards"] == {"total": 2, "successful": 1, "failed": 1}


def test_the_api_says_partial_and_lets_no_cache_keep_it(
    red_index: tuple[Settings, Engine],
) -> None:
    settings, engine = red_index
    client = TestClient(create_app(settings, engine))
    response = client.get("/search", params={"q": QUERY})
    assert response.status_code == 200
    assert response.json()["partial"] is True
    assert response.json()["shards"]["failed"] == 1
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_a_complete_answer_says_so(server_engine: Engine) -> None:
    index = f"whole-{uuid.uuid4().hex[:8]}"
    server_engine.create_index(index)
    try:
        server_engine.bulk(index, [Document(id="1", body=LINES[5])])
        server_engine.refresh(index)
        response = server_engine.search(index, parse(LINES[5].split()[0], ANALYZER))
        assert response.partial is False
        assert response.shards is not None and response.shards.failed == 0
    finally:
        server_engine.delete_index(index)


def test_the_embedded_engine_is_never_partial(embedded: Engine) -> None:

    embedded.create_index("e")
    embedded.bulk("e", [Document(id="1", body=LINES[5])])
    embedded.refresh("e")
    response = embedded.search("e", parse(LINES[5].split()[0], ANALYZER))
    assert response.hits and response.partial is False and response.shards is None


def test_documents_for_an_unavailable_shard_stop_the_run_and_are_not_rejected(
    red_index: tuple[Settings, Engine], tmp_path: Path
) -> None:
    settings, _ = red_index
    impatient = open_engine(settings.model_copy(update={"shard_timeout": "1s"}))
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    docs = [Document(id=f"new-{i}", body=line) for i, line in enumerate(LINES)]
    try:
        with pytest.raises(EngineUnavailable, match=r"not available.*rerun to resume"):
            index_records(impatient, settings.index, enumerate(docs, 1), rejects)
    finally:
        impatient.close()
    assert rejects.count == 0 and not rejects.path.exists()
