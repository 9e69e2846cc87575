"""docker-compose.yml is what users start first: its images are the versions the tests run, and
its healthchecks really check (run here, word for word, against the test nodes and a closed
port).  It used to pass whatever happened: an unquoted `&` sent curl to the background."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from tests.conftest import SERVER_ENGINES, engine_url, skip_or_fail

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
IMAGES = {
    "elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch",
    "opensearch": "opensearchproject/opensearch",
}
CONTAINER_URL = "http://localhost:9200"  # where each healthcheck looks, inside its container


def nodes_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nodes", ROOT / "scripts" / "nodes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["nodes"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def healthcheck(service: str, url: str) -> subprocess.CompletedProcess[str]:
    """The service's healthcheck command exactly as Docker runs it, aimed at `url`."""
    if shutil.which("curl") is None:
        skip_or_fail("curl is not installed")
    kind, *command = SERVICES[service]["healthcheck"]["test"]
    command = [part.replace(CONTAINER_URL, url) for part in command]
    if kind == "CMD-SHELL":  # a shell line: Docker runs it with `sh -c`
        argv = ["sh", "-c", *command]
    else:
        assert kind == "CMD", kind
        argv = command
    return subprocess.run(argv, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("service", SERVER_ENGINES)
def test_the_image_is_the_version_the_tests_run(service: str) -> None:
    version = nodes_script().NODES[service].version
    assert SERVICES[service]["image"] == f"{IMAGES[service]}:{version}"


def test_opensearch_starts_only_when_asked() -> None:
    assert "profiles" not in SERVICES["elasticsearch"]
    assert SERVICES["opensearch"]["profiles"] == ["opensearch"]


@pytest.mark.engines
@pytest.mark.parametrize("service", SERVER_ENGINES)
def test_the_healthcheck_passes_on_a_live_node(service: str) -> None:
    done = healthcheck(service, engine_url(service))
    assert done.returncode == 0, done.stderr
    assert '"status"' in done.stdout  # the health answer itself, not a backgrounded curl


@pytest.mark.parametrize("service", SERVER_ENGINES)
def test_the_healthcheck_fails_on_a_closed_port(service: str) -> None:
    assert healthcheck(service, "http://127.0.0.1:9").returncode != 0
