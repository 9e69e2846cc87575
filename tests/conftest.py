"""Shared fixtures: the real-text fixtures, a fresh embedded engine, and the real engine nodes.

Engine nodes come from `scripts/nodes.py` (started by `make test` and `.ci/run`), which exports
SEARCHER_TEST_ELASTICSEARCH_URL / SEARCHER_TEST_OPENSEARCH_URL.  Without them the engine tests
skip on a laptop, but under CI (any non-empty CI variable) a missing engine FAILS the run: CI must
prove the real path.

`elasticsearch` and `opensearch` are clients on those nodes; `server_engine` is either one, for
the tests that must hold on both (the same template, the same bodies, the same answers).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SERVER_ENGINES = ("elasticsearch", "opensearch")
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
    """CI systems set CI to "true", "1", "yes"...: any non-empty value counts."""
    return bool(os.environ.get("CI", "").strip())


def skip_or_fail(message: str) -> NoReturn:
    """Skip on a laptop; under CI a missing part is a failure, never a skip: CI must prove the
    real path."""
    if in_ci():
        pytest.fail(f"CI requires it: {message}")
    pytest.skip(message)


def engine_url(name: str) -> str:
    """The URL of a running test node, or skip (fail under CI) when there is none."""
    url = os.environ.get(ENGINE_URL_VARS[name], "")
    if not url:
        skip_or_fail(f"no {name} node: {ENGINE_URL_VARS[name]} is not set (`make engines`)")
    return url


@pytest.fixture(scope="session")
def opensearch_url() -> str:
    return engine_url("opensearch")


@pytest.fixture(scope="session")
def elasticsearch_url() -> str:
    return engine_url("elasticsearch")


@pytest.fixture(scope="session")
def elasticsearch(elasticsearch_url: str) -> Iterator[Engine]:
    engine = open_engine(Settings(engine="elasticsearch", url=elasticsearch_url))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def opensearch(opensearch_url: str) -> Iterator[Engine]:
    engine = open_engine(Settings(engine="opensearch", url=opensearch_url))
    yield engine
    engine.close()


@pytest.fixture(scope="session", params=SERVER_ENGINES)
def server_engine(request: pytest.FixtureRequest) -> Engine:
    """Elasticsearch, then OpenSearch: both run the production template."""
    return request.getfixturevalue(request.param)


def cluster_settings(name: str, **overrides: Any) -> Settings:
    """Settings for the real `name` test node."""
    return Settings(engine=name, url=engine_url(name), **overrides)


@pytest.fixture(params=SERVER_ENGINES)
def cluster(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A fresh client (its own settings, its own connections) to each real node in turn."""
    engine = open_engine(cluster_settings(request.param))
    yield engine
    engine.close()


def cluster_cli_env(name: str, data: Path, **extra: str) -> dict[str, str]:
    """The environment for a `searcher` subprocess on the real `name` node, data in `data`."""
    return {
        **os.environ,
        "SEARCHER_ENGINE": name,
        "SEARCHER_URL": engine_url(name),
        "SEARCHER_DATA_DIR": str(data),
        **extra,
    }


def loaded_engines(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    load: Callable[[Engine, str], None],
    **settings: Any,
) -> Iterator[Callable[[str], tuple[Engine, str]]]:
    """For a module fixture: (engine, index) per engine name, opened (with `settings`) and
    loaded by `load(engine, index)` on first use; the cluster indices are deleted at the end."""
    opened: dict[str, tuple[Engine, str]] = {}

    def get(name: str) -> tuple[Engine, str]:
        if name not in opened:
            if name == "embedded":
                where = {"data_dir": tmp_path_factory.mktemp("engine")}
            else:
                where = {"url": request.getfixturevalue(f"{name}_url")}
            engine = open_engine(Settings(engine=name, **where, **settings))
            index = f"test-{uuid.uuid4().hex[:8]}"
            load(engine, index)
            opened[name] = (engine, index)
        return opened[name]

    yield get
    for engine, index in opened.values():
        if engine.name != "embedded":
            engine.delete_index(index)
        engine.close()
