"""The embedded engine's data directory as a running server sees it (issue #9, items 10 and 11).

* Reindexes in another process move the alias and delete the old generations; a server that
  keeps handles on them keeps their deleted files mapped, and the disk space never comes back.
* A read-only data directory (a read-only mount, a replica copy) must still be searchable, and
  writing to it is one clear line (CLI, exit 1) or a 503 with a message (API).

Read-only is made real: a read-only bind mount in a private mount namespace (`unshare -m`) when
this runs as root (root ignores permission bits), `chmod` and an unprivileged user otherwise.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.engines.embedded import EmbeddedEngine
from searcher.models import Document
from searcher.query import parse
from tests.serving import CLI, WRITE_KEY, serving

SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"


def cli(*args: str, data: Path, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    command = [*(prefix or []), *CLI, *args, "--data-dir", str(data)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def deleted_files_held(under: Path) -> set[str]:
    """Deleted files below `under` that this process still holds, open or mapped."""
    held = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.endswith(" (deleted)") and target.startswith(str(under)):
            held.add(target)
    for line in Path("/proc/self/maps").read_text().splitlines():
        path = line.split(None, 5)[-1]
        if path.endswith(" (deleted)") and path.startswith(str(under)):
            held.add(path)
    return held


# -- item 10 -------------------------------------------------------------------------------------


def test_a_running_engine_lets_go_of_pruned_generations(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli("reindex", str(SAMPLE), "--index", "news", data=data).returncode == 0
    engine = EmbeddedEngine(data, ArabicAnalyzer())  # the long-running server's engine
    query = parse("الرحمن", ArabicAnalyzer())
    first = engine.search("news", query).total
    for _ in range(3):
        # The server writes (POST /documents) through the alias, then an operator reindexes
        # from another process: the alias moves and the old generation is deleted.
        engine.bulk("news", [Document(id="posted", body="خبر أرسل إلى الخادم")])
        engine.refresh("news")
        assert engine.count("news") == 195
        assert cli("reindex", str(SAMPLE), "--index", "news", data=data).returncode == 0
        assert engine.search("news", query).total == first
        assert engine.count("news") == 194
    assert deleted_files_held(data) == set()
    assert len(os.listdir(data / "indices")) == 1


# -- item 11 -------------------------------------------------------------------------------------


def _read_only_prefix(data: Path) -> list[str]:
    """A command prefix under which `data` is read-only for the command, root or not."""
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(data)], check=True)
        return []
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("root, but no mount namespace here for a read-only bind mount")
    mount = f"mount --bind -o ro {data} {data}"
    return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', "read-only"]


@pytest.fixture
def read_only_data(tmp_path: Path) -> tuple[Path, list[str]]:
    data = tmp_path / "data"
    assert cli("reindex", str(SAMPLE), "--index", "news", data=data).returncode == 0
    prefix = _read_only_prefix(data)
    yield data, prefix
    subprocess.run(["chmod", "-R", "u+w", str(data)], check=False)


def test_the_read_only_mount_is_real(read_only_data: tuple[Path, list[str]]) -> None:
    data, prefix = read_only_data
    touch = subprocess.run([*prefix, "touch", str(data / "probe")], capture_output=True)
    assert touch.returncode != 0 and not (data / "probe").exists()


def test_search_works_on_a_read_only_data_dir(read_only_data: tuple[Path, list[str]]) -> None:
    data, prefix = read_only_data
    found = cli("search", "الرحمن", "--index", "news", "--json", data=data, prefix=prefix)
    assert found.returncode == 0, found.stderr
    assert '"total"' in found.stdout and "Traceback" not in found.stderr


def test_writing_a_read_only_data_dir_is_one_line(read_only_data: tuple[Path, list[str]]) -> None:
    data, prefix = read_only_data
    wrote = cli("index", str(SAMPLE), "--index", "news", data=data, prefix=prefix)
    assert wrote.returncode == 1
    assert wrote.stderr.startswith("Error: ") and "read-only" in wrote.stderr
    assert len(wrote.stderr.strip().splitlines()) == 1


def test_the_api_on_a_read_only_data_dir(read_only_data: tuple[Path, list[str]]) -> None:
    data, prefix = read_only_data
    with serving(data, "news", prefix=prefix) as server:
        assert httpx.get(server.url + "/health").json()["documents"] == 194
        hits = httpx.get(server.url + "/search", params={"q": "الرحمن"}).json()["hits"]
        assert hits and "<mark>" in hits[0]["snippet_html"]
        assert httpx.get(server.url + "/suggest", params={"q": "الرح"}).json()["suggestions"]
        write = httpx.post(
            server.url + "/documents",
            json={"id": "new", "body": "نص جديد"},
            headers={"X-API-Key": WRITE_KEY},
        )
        assert write.status_code == 503
        assert "read-only" in write.json()["error"]


def test_the_stand_in_directory_is_removed_after_use(
    read_only_data: tuple[Path, list[str]],
) -> None:
    # Reading through a writable stand-in (engines/readonly.py) leaves no temporary directory.
    data, prefix = read_only_data
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("searcher-readonly-*"))
    assert cli("search", "الرحمن", "--index", "news", data=data, prefix=prefix).returncode == 0
    assert set(temp.glob("searcher-readonly-*")) == before
