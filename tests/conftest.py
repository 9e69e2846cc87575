"""Shared fixtures: the real-text fixtures, a fresh embedded engine, and the real engine nodes.

Engine nodes come from `scripts/nodes.py` (started by `make test` and `.ci/run`), which exports
SEARCHER_TEST_ELASTICSEARCH_URL / SEARCHER_TEST_OPENSEARCH_URL.  Without them the engine tests
skip on a laptop, but under CI=true a missing engine FAILS the run: CI must prove the real path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
