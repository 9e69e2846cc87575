"""Shared fixtures: the real-text fixtures, a fresh embedded engine, and the real engine nodes.

Engine nodes come from `scripts/nodes.py` (started by `make test` and `.ci/run`), which exports
SEARCHER_TEST_ELASTICSEARCH_URL / SEARCHER_TEST_OPENSEARCH_URL.  Without them the engine tests
skip on a laptop, but under CI=true a missing engine FAILS the run: CI must prove the real path.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
ENGINE_URL_VARS = {
    "elasticsearch": "SEARCHER_TEST_ELASTICSEARCH_URL",
    "opensearch": "SEARCHER_TEST_OPENSEARCH_URL",
}


def fixture_lines(name: str) -> list[str]:
    """Non-blank lines of a text fixture."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def analyzer() -> ArabicAnalyzer:
    return ArabicAnalyzer()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(Settings(engine="embedded", data_dir=tmp_path / "data"))
    yield engine
    engine.close()


def engine_url(name: str) -> str:
    """The URL of a running test node, or skip (fail under CI) when there is none."""
    url = os.environ.get(ENGINE_URL_VARS[name])
    if not url:
        message = f"{ENGINE_URL_VARS[name]} is not set: start nodes with `make engines`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI requires a real {name} node: {message}")
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    return engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    return engine_url("elasticsearch")


# -- the cluster engines, parametrized -----------------------------------------------------------

CLUSTER_ENGINES = ("opensearch", "elasticsearch")


@functools.cache
def _runs_the_arabic_template(url: str) -> bool:
    """Does the node at `url` know the template's analysis-common types (a `mapping` char filter)?

    OpenSearch's test node does; Elasticsearch's gains them with its test-only module (issue #10).
    Until then the same tests run there on built-in analysis, and switch over by themselves.
    """
    body = {"tokenizer": "keyword", "char_filter": [{"type": "mapping", "mappings": ["a=>b"]}]}
    request = urllib.request.Request(
        f"{url}/_analyze",
        data=json.dumps({**body, "text": "a"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["tokens"][0]["token"] == "b"
    except urllib.error.HTTPError:
        return False


def cluster_settings(name: str, **overrides: Any) -> Settings:
    """Settings for the real `name` test node (the Arabic template wherever the node can run it)."""
    url = engine_url(name)
    analysis = "arabic" if _runs_the_arabic_template(url) else "builtin"
    return Settings(engine=name, url=url, engine_analysis=analysis, **overrides)


@pytest.fixture(params=CLUSTER_ENGINES)
def cluster(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh client to each real cluster engine in turn."""
    engine = open_engine(cluster_settings(request.param))
    yield engine
    engine.close()


def cluster_cli_env(name: str, data: Path, **extra: str) -> dict[str, str]:
    """The environment for a `searcher` subprocess on the real `name` node, data in `data`."""
    settings = cluster_settings(name)
    return {
        **os.environ,
        "SEARCHER_ENGINE": name,
        "SEARCHER_URL": settings.url,
        "SEARCHER_ENGINE_ANALYSIS": settings.engine_analysis,
        "SEARCHER_DATA_DIR": str(data),
        **extra,
    }
