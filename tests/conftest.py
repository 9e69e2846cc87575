"""Shared fixtures: the real-text fixtures, a fresh embedded engine, and the real engine nodes.

Engine nodes come from `scripts/nodes.py` (started by `make test` and `.ci/run`), which exports
SEARCHER_TEST_ELASTICSEARCH_URL / SEARCHER_TEST_OPENSEARCH_URL.  Without them the engine tests
skip on a laptop, but under CI (any non-empty CI variable) a missing engine FAILS the run: CI must
prove the real path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

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


def in_ci() -> bool:
    """Any non-empty CI counts (CI systems set "true", "1" or "yes")."""
    return bool(os.environ.get("CI", "").strip())


def missing(what: str, message: str) -> NoReturn:
    """Skip a test whose real dependency is absent; under CI, fail it: CI must prove the path."""
    if in_ci():
        pytest.fail(f"CI requires {what}: {message}")
    pytest.skip(message)


def engine_url(name: str) -> str:
    """The URL of a running test node, or skip (fail under CI) when there is none."""
    url = os.environ.get(ENGINE_URL_VARS[name])
    if not url:
        missing(f"a real {name} node", f"{ENGINE_URL_VARS[name]} is not set: run `make engines`")
    return url


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    return engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    return engine_url("elasticsearch")
