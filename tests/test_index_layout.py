"""Index layout on a real node: shards, replicas and refresh interval are configurable (settings
and CLI flags); `reindex` loads with refresh off and no replicas, then restores the configured
layout before the alias swap; several node URLs may be given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.dump import read
from searcher.engines import Engine, open_engine
from searcher.errors import SearcherError
from searcher.indexer import IndexReport, RejectsFile
from searcher.query import parse
from searcher.reindex import Checkpoint, reindex
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url, fixture_lines

pytestmark = pytest.mark.engines
CLI = [sys.executable, "-m", "searcher.cli"]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def dump(path: Path, count: int) -> Path:
    lines = fixture_lines("news_ar.txt")
    records = [
        json.dumps({"id": f"n{i}", "body": lines[i % len(lines)]}, ensure_ascii=False)
        for i in range(count)
    ]
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def layout(engine: Engine, index: str) -> dict[str, str | None]:
    found = engine.client.indices.get_settings(index=index)  # type: ignore[attr-defined]
    settings = next(iter(found.values()))["settings"]["index"]
    return {
        "shards": settings["number_of_shards"],
        "replicas": settings["number_of_replicas"],
        "refresh": settings.get("refresh_interval"),
    }


@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_reindex_loads_without_refresh_or_replicas_then_restores_the_layout(
    name: str, tmp_path: Path
) -> None:
    settings = Settings(engine=name, url=engine_url(name), shards=2, refresh_interval="30s")
    engine = open_engine(settings)
    alias = unique("layout")
    during: list[dict] = []

    def look(_: IndexReport, __: int) -> None:
        during.append(layout(engine, engine.indices(f"{alias}-")[0]))

    report = reindex(
        engine,
        alias,
        read(dump(tmp_path / "d.jsonl", 120)),
        RejectsFile(tmp_path / "r.jsonl"),
        Checkpoint.load(tmp_path / "c.json", "d"),
        chunk_size=50,
        on_chunk=look,
    )
    try:
        assert during and all(
            seen == {"shards": "2", "replicas": "0", "refresh": "-1"} for seen in during
        )
        assert layout(engine, report.index) == {"shards": "2", "replicas": "0", "refresh": "30s"}
        # Refreshed before the swap despite the 30 s interval: every document is searchable.
        assert report.count == 120 == engine.count(alias)
    finally:
        engine.delete_index(report.index)
        engine.close()


@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_replicas_the_cluster_cannot_hold_fail_clearly_and_keep_the_alias(
    name: str, tmp_path: Path
) -> None:
    engine = open_engine(Settings(engine=name, url=engine_url(name), replicas=1))
    alias = unique("replicas")
    with pytest.raises(SearcherError, match=r"1 replica\(s\).* 1 data node\(s\)"):
        reindex(
            engine,
            alias,
            read(dump(tmp_path / "d.jsonl", 10)),
            RejectsFile(tmp_path / "r.jsonl"),
            Checkpoint.load(tmp_path / "c.json", "d"),
        )
    try:
        assert engine.alias_targets(alias) == []
    finally:
        for index in engine.indices(f"{alias}-"):
            engine.delete_index(index)
        engine.close()


@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_cli_flags_set_the_layout_of_a_new_index(name: str, tmp_path: Path) -> None:
    url, index = engine_url(name), unique("flags")
    env = {**os.environ, "SEARCHER_ENGINE": name, "SEARCHER_URL": url}
    args = [str(dump(tmp_path / "d.jsonl", 5)), "--index", index, "--data-dir", str(tmp_path)]
    done = subprocess.run(
        [*CLI, "index", *args, "--shards", "3", "--refresh-interval", "5s"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    engine = open_engine(Settings(engine=name, url=url))
    try:
        assert done.returncode == 0, done.stderr
        assert layout(engine, index) == {"shards": "3", "replicas": "0", "refresh": "5s"}
    finally:
        engine.delete_index(index)
        engine.close()
    bad = subprocess.run(
        [*CLI, "index", *args, "--refresh-interval", "soon"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "'soon' is not a time" in bad.stderr


@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_several_node_urls_skip_a_node_that_is_down(name: str) -> None:
    live = engine_url(name)
    # A node that refuses connections first: the client moves on to the live one.
    engine = open_engine(Settings(engine=name, url=f"http://127.0.0.1:9, {live}"))
    try:
        index = unique("urls")
        engine.create_index(index)
        engine.refresh(index)
        assert engine.search(index, parse("الكتاب", ArabicAnalyzer())).total == 0
        assert engine.count(index) == 0
        engine.delete_index(index)
    finally:
        engine.close()
