"""The settings the README documents, end to end: CLI flags over the environment,
SEARCHER_ARABIC_DISABLE, SEARCHER_REQUEST_TIMEOUT / SEARCHER_MAX_RETRIES against a listener
that never answers, and `searcher serve` as a real process serving /docs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.engines import open_engine
from searcher.settings import Settings

CLI = [sys.executable, "-m", "searcher.cli"]
DOC = {"id": "h", "title": "خبر", "body": "قال المسؤول عن المشروع إن العمل بدأ"}


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(DOC, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def invoke(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# -- flags over the environment ----------------------------------------------------------------


def test_flags_override_the_environment(tmp_path: Path, dump: Path) -> None:
    env = {
        "SEARCHER_ENGINE": "opensearch",  # would fail: nothing listens on the URL below
        "SEARCHER_URL": "http://127.0.0.1:9",
        "SEARCHER_INDEX": "fromenv",
        "SEARCHER_DATA_DIR": str(tmp_path / "envdata"),
    }
    flags = ["--engine", "embedded", "--index", "fromflag", "--data-dir", str(tmp_path / "flag")]
    code, _, _ = invoke(env, "index", str(dump), *flags)
    assert code == 0
    assert (tmp_path / "flag" / "indices" / "fromflag").is_dir()
    assert not (tmp_path / "envdata").exists()
    code, out, _ = invoke(env, "search", "المشروع", "--json", *flags)
    assert [hit["id"] for hit in json.loads(out)["hits"]] == ["h"]


def test_the_url_flag_overrides_the_environment(tmp_path: Path) -> None:
    env = {
        "SEARCHER_ENGINE": "opensearch",
        "SEARCHER_URL": "http://127.0.0.1:9",
        "SEARCHER_MAX_RETRIES": "0",
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    code, _, err = invoke(env, "search", "كتاب")
    assert code == 1 and "http://127.0.0.1:9 is unreachable" in err
    code, _, err = invoke(env, "search", "كتاب", "--url", "http://127.0.0.1:1")
    assert code == 1 and "http://127.0.0.1:1 is unreachable" in err


# -- SEARCHER_ARABIC_DISABLE --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("disable", "found", "normalised"),
    [("", ["h"], "مسءول"), ("hamza_carriers", [], "مسئول")],
    ids=["all-rules", "hamza_carriers-off"],
)
def test_arabic_disable_end_to_end_embedded(
    tmp_path: Path, dump: Path, disable: str, found: list[str], normalised: str
) -> None:
    env = {"SEARCHER_ARABIC_DISABLE": disable, "SEARCHER_DATA_DIR": str(tmp_path / "data")}
    assert invoke(env, "index", str(dump))[0] == 0
    # مسئول meets the indexed مسؤول only while hamza_carriers is on.
    _, out, _ = invoke(env, "search", "مسئول", "--json")
    assert [hit["id"] for hit in json.loads(out)["hits"]] == found
    _, out, _ = invoke(env, "search", "مسؤول", "--json")
    assert [hit["id"] for hit in json.loads(out)["hits"]] == ["h"]
    _, out, _ = invoke(env, "analyze", "مسئول", "--json")
    assert json.loads(out)["normalised"] == normalised


@pytest.mark.engines
@pytest.mark.parametrize(
    ("disable", "found"), [("", ["h"]), ("hamza_carriers", [])], ids=["all-rules", "off"]
)
def test_arabic_disable_end_to_end_opensearch(
    opensearch_url: str, tmp_path: Path, dump: Path, disable: str, found: list[str]
) -> None:
    index = f"disable-{uuid.uuid4().hex[:8]}"
    env = {
        "SEARCHER_ENGINE": "opensearch",
        "SEARCHER_URL": opensearch_url,
        "SEARCHER_INDEX": index,
        "SEARCHER_ARABIC_DISABLE": disable,
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    try:
        assert invoke(env, "index", str(dump))[0] == 0
        _, out, _ = invoke(env, "search", "مسئول", "--json")
        assert [hit["id"] for hit in json.loads(out)["hits"]] == found
        _, out, _ = invoke(env, "analyze", "مسئول", "--json")  # the node's own analysis
        assert [t["token"] for t in json.loads(out)["tokens"]] == [
            "مسءول" if not disable else "مسئول"
        ]
    finally:
        open_engine(Settings(engine="opensearch", url=opensearch_url)).delete_index(index)


# -- SEARCHER_REQUEST_TIMEOUT and SEARCHER_MAX_RETRIES -------------------------------------------


@pytest.fixture
def silent_listener() -> Iterator[tuple[int, list[float]]]:
    """A TCP port that accepts connections and never answers.  The list gets, for each
    connection, how long the client held it open before giving up."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[float] = []

    def wait_for_the_client_to_give_up(conn: socket.socket) -> None:
        opened = time.monotonic()
        with conn:
            while conn.recv(65536):  # read the request, answer nothing, until it hangs up
                pass
        held.append(time.monotonic() - opened)

    def accept() -> None:
        while True:
            try:
                conn = server.accept()[0]
            except OSError:
                return
            threading.Thread(target=wait_for_the_client_to_give_up, args=(conn,)).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], held
    server.close()


# Searches have their own, shorter timeout and retries (a reader is waiting); indexing and admin
# calls use SEARCHER_REQUEST_TIMEOUT and SEARCHER_MAX_RETRIES.
TIMEOUT_SETTINGS = {
    "search": ("SEARCHER_SEARCH_TIMEOUT", "SEARCHER_SEARCH_MAX_RETRIES"),
    "index": ("SEARCHER_REQUEST_TIMEOUT", "SEARCHER_MAX_RETRIES"),
}


@pytest.mark.parametrize("command", sorted(TIMEOUT_SETTINGS))
@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_a_silent_engine_times_out_as_configured(
    silent_listener: tuple[int, list[float]], tmp_path: Path, engine: str, command: str
) -> None:
    port, held = silent_listener
    timeout_var, retries_var = TIMEOUT_SETTINGS[command]
    env = {
        **os.environ,
        "SEARCHER_ENGINE": engine,
        "SEARCHER_URL": f"http://127.0.0.1:{port}",
        timeout_var: "1",
        retries_var: "1",
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "1", "body": "كتاب"}\n', encoding="utf-8")
    args = ["search", "كتاب"] if command == "search" else ["index", str(dump)]
    done = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"127.0.0.1:{port} is unreachable" in done.stderr
    assert "ConnectionTimeout" in done.stderr and "Traceback" not in done.stderr
    time.sleep(0.2)  # the listener threads note the last hang-up
    # One try and one retry (SEARCHER_MAX_RETRIES=1), each given up after the configured
    # second, not the clients' own default of ten.
    assert len(held) == 2
    assert max(held) < 5, f"the client waited {max(held):.1f} s for an answer"


# -- searcher serve ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_the_api_and_its_docs(tmp_path: Path, dump: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "SEARCHER_DATA_DIR": str(data), "SEARCHER_INDEX": "site"}
    subprocess.run([*CLI, "index", str(dump)], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                health = httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                time.sleep(0.1)
        assert health.json() == {
            "status": "ok",
            "engine": "embedded",
            "index": "site",
            "documents": 1,
        }
        docs = httpx.get(f"{base}/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = httpx.get(f"{base}/openapi.json").json()
        assert {"/search", "/suggest", "/health"} <= set(spec["paths"])
        hits = httpx.get(f"{base}/search", params={"q": "المشروع"}).json()["hits"]
        assert [hit["id"] for hit in hits] == ["h"]
        assert "widget.js" in httpx.get(f"{base}/").text
    finally:
        server.terminate()
        _, err = server.communicate(timeout=20)
    assert f"serving embedded:site on http://127.0.0.1:{port}/" in err
