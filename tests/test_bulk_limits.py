"""Documents and requests at the engines' limits, on real nodes: over-long ids, a request refused
as a whole, 20 MB bodies, a document too large for any request, an alias with no write index.

Each of these used to stop a run (or reject everything after it); now the one bad document is
set aside with the reason and everything else lands.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from searcher.dump import Reject, read
from searcher.engines import Engine, open_engine
from searcher.errors import SearcherError
from searcher.indexer import RejectsFile, index_records
from searcher.limits import MAX_ID_BYTES
from searcher.models import Document
from tests.conftest import SERVER_ENGINES, cluster_cli_env, cluster_settings

CLI = [sys.executable, "-m", "searcher.cli"]
LONG_ID = "معرف" * 80  # 320 characters, 640 bytes of UTF-8: over the engines' 512-byte limit
WORDS = "ذهب أحمد إلى المدرسة وقرأ الكتاب "


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def small(i: int) -> Document:
    return Document(id=f"s{i}", title=f"وثيقة {i}", body=f"نص قصير رقم {i}")


def arabic_body(megabytes: float) -> str:
    """Real Arabic words, `megabytes` of UTF-8."""
    return WORDS * int(megabytes * 1024 * 1024 / len(WORDS.encode()))


def stored_ids(engine: Engine, index: str) -> set[str]:
    engine.refresh(index)
    body = {"size": 1000, "_source": False, "query": {"match_all": {}}}
    hits = engine.client.search(index=index, body=body)["hits"]["hits"]  # type: ignore[attr-defined]
    return {hit["_id"] for hit in hits}


def rejected(rejects: RejectsFile) -> dict[str, str]:
    rejects.close()
    if not rejects.path.exists():
        return {}
    lines = rejects.path.read_text(encoding="utf-8").splitlines()
    return {record["id"]: record["reason"] for record in map(json.loads, lines)}


# -- ids ----------------------------------------------------------------------------------------


def test_an_id_over_512_bytes_is_rejected_in_python_with_the_reason() -> None:
    assert len(LONG_ID) < MAX_ID_BYTES < len(LONG_ID.encode())  # bytes count, not characters
    with pytest.raises(ValidationError, match="512"):
        Document(id=LONG_ID, body="نص")
    Document(id="م" * (MAX_ID_BYTES // 2), body="نص")  # exactly 512 bytes is fine


def test_a_dump_with_one_over_long_id_rejects_that_record_and_keeps_the_rest(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "ids.jsonl"
    lines = [{"id": f"d{i}", "body": f"نص {i}"} for i in range(3000)]
    lines[1500]["id"] = LONG_ID
    dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")
    records = list(read(dump))
    bad = [r for _, r in records if isinstance(r, Reject)]
    assert [(r.line, "512" in r.reason) for r in bad] == [(1501, True)]

    done = subprocess.run(
        [*CLI, "index", str(dump), "--data-dir", str(tmp_path / "data"), "--json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 3
    assert json.loads(done.stdout)["indexed"] == 2999
    assert "ids.jsonl:1501: id" in done.stderr and "512 bytes" in done.stderr


@pytest.mark.engines
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_request_the_engine_refuses_whole_is_split_to_isolate_the_bad_document(
    cluster: Engine, tmp_path: Path
) -> None:
    index = unique("split")
    # Past the Python check (another writer, an older searcher): the engine then refuses the
    # whole request with action_request_validation_exception.
    bad = Document.model_construct(id=LONG_ID, title="", body="نص", url=None, tags=[])
    docs = [small(i) for i in range(1200)]
    docs.insert(700, bad)
    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    try:
        report = index_records(cluster, index, enumerate(docs, 1), rejects)
        assert (report.indexed, report.rejected) == (1200, 1)
        assert cluster.count(index) == 1200
        (reason,) = rejected(rejects).values()
        assert "action_request_validation_exception" in reason and "512" in reason
    finally:
        cluster.delete_index(index)


# -- big bodies ---------------------------------------------------------------------------------


@pytest.mark.engines
def test_20_mb_bodies_and_one_too_large_for_any_request(cluster: Engine, tmp_path: Path) -> None:
    index = unique("big")
    twenty = [f"big{i}" for i in range(3)]  # 30 s or so each on a 2-core test node
    too_large = "huge"  # over every node's http.max_content_length (100 MB by default)

    def records() -> Iterator[tuple[int, Document]]:
        line = 0
        for i in range(300):
            line += 1
            yield line, small(i)
            if i % 100 == 0:
                line += 1
                yield line, Document(id=twenty[i // 100], body=arabic_body(20))
            if i == 150:
                line += 1
                yield line, Document(id=too_large, body=arabic_body(101))

    rejects = RejectsFile(tmp_path / "rejects.jsonl")
    try:
        report = index_records(cluster, index, records(), rejects)
        refused = rejected(rejects)
        assert "413" in refused.pop(too_large)
        ids = stored_ids(cluster, index)
        assert {f"s{i}" for i in range(300)} <= ids  # every small document landed
        # A 20 MB document lands, unless this node's indexing-pressure limit is below it (the
        # Elasticsearch test node's 512 MB heap): then it is rejected with the engine's reason.
        for doc_id in twenty:
            assert (doc_id in ids) != (doc_id in refused), doc_id
        for reason in refused.values():
            assert "rejected_execution_exception" in reason
        if cluster.name == "opensearch":
            assert set(twenty) <= ids
        assert report.indexed + report.rejected == 304
    finally:
        cluster.delete_index(index)


@pytest.mark.engines
def test_memory_stays_bounded_with_several_20_mb_bodies(tmp_path: Path) -> None:
    settings = cluster_settings("opensearch")
    index = unique("rss")
    dump = tmp_path / "big.jsonl"
    with dump.open("w", encoding="utf-8") as out:
        for i in range(400):
            out.write(json.dumps({"id": f"s{i}", "body": f"نص {i}"}, ensure_ascii=False) + "\n")
            if i % 150 == 50:  # three of them
                record = {"id": f"big{i}", "body": arabic_body(20)}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    # VmHWM: the peak resident size of this process image (ru_maxrss would also count the
    # pytest process it was forked from).
    script = (
        "import re, sys\n"
        "from searcher.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print('PEAK_KB', re.search(r'VmHWM:\\s+(\\d+)', status)[1], file=sys.stderr)\n"
    )
    args = ["index", str(dump), "--index", index, "--json", "--max-bytes", str(30 << 20)]
    env = {"SEARCHER_ENGINE": "opensearch", "SEARCHER_URL": settings.url}
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    try:
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["indexed"] == 403
        peak_mb = int(done.stderr.split("PEAK_KB")[1].split()[0]) / 1024
        # Chunks are cut by bytes: one 20 MB record is in memory at a time (its line, its text,
        # its JSON for the request), never all three of them with their copies.
        assert peak_mb < 250, f"peak RSS {peak_mb:.0f} MB"
    finally:
        engine = open_engine(settings)
        engine.delete_index(index)
        engine.close()


# -- an alias on two indices --------------------------------------------------------------------


@pytest.mark.engines
@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_index_into_an_alias_on_two_indices_says_so_once_and_stops(
    name: str, tmp_path: Path
) -> None:
    engine = open_engine(cluster_settings(name))
    alias, first, second = unique("two"), unique("one"), unique("one")
    for index in (first, second):
        engine.create_index(index)
    engine.client.indices.update_aliases(  # type: ignore[attr-defined]
        body={"actions": [{"add": {"index": i, "alias": alias}} for i in (first, second)]}
    )
    dump = tmp_path / "d.jsonl"
    dump.write_text("".join(f'{{"id": "{i}", "body": "نص"}}\n' for i in range(20)), "utf-8")
    env = cluster_cli_env(name, tmp_path / "data")
    try:
        done = subprocess.run(
            [*CLI, "index", str(dump), "--index", alias], capture_output=True, text=True, env=env
        )
        assert done.returncode == 1
        assert done.stderr.count("points at 2 indices") == 1, done.stderr
        assert first in done.stderr and second in done.stderr
        assert not (tmp_path / "data" / "rejects").exists()
        assert engine.count(alias) == 0
        with pytest.raises(SearcherError, match="no write index"):
            engine.bulk(alias, [small(1)])
        # With a write index, the alias is a normal write target (Elasticsearch's rollover shape).
        engine.client.indices.update_aliases(  # type: ignore[attr-defined]
            body={"actions": [{"add": {"index": second, "alias": alias, "is_write_index": True}}]}
        )
        done = subprocess.run(
            [*CLI, "index", str(dump), "--index", alias], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        engine.refresh(second)
        assert engine.count(second) == 20
    finally:
        for index in (first, second):
            engine.delete_index(index)
        engine.close()
