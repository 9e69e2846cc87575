"""Index and alias names, and engine URLs, are input too: checked before any request or file.

Every case here was seen misbehaving (issue #15): `zz*` looped forever, `''` printed a traceback,
`_all` and `b*` searched every index on the cluster, `a*b` rejected each document, `_lead` gave
`RequestError(400, '')`, `..` built an index then failed on the alias, a 250-character alias
raised `OSError: File name too long`, and `a/../../../w/escaped` wrote a checkpoint outside the
data directory.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pydantic import ValidationError

from searcher.arabic import ArabicAnalyzer
from searcher.cli import main
from searcher.engines import Engine
from searcher.errors import InvalidName
from searcher.names import MAX_NAME_BYTES, check_name, check_url
from searcher.query import parse
from searcher.settings import Settings

CLI = [sys.executable, "-m", "searcher.cli"]

BAD_NAMES = [
    ("zz*", "wildcard"),
    ("b*", "wildcard"),
    ("a*b", "wildcard"),
    ("a?b", "wildcard"),
    ("", "empty"),
    ("_all", "_all"),
    ("_lead", "start with"),
    ("-lead", "start with"),
    ("+lead", "start with"),
    (".", "'.' or '..'"),
    ("..", "'.' or '..'"),
    (".hidden", "start with"),
    ("a" * 250, "bytes"),
    ("ك" * 120, "bytes"),  # 120 characters, 240 bytes of UTF-8
    ("a/../../../w/escaped", "'/'"),
    ("a\\b", "'\\'"),
    ("News", "lower case"),
    ("a b", "space"),
    ("a,b", "','"),
    ("a#b", "'#'"),
    ("a:b", "':'"),
    ('a"b', "'\"'"),
    ("a<b", "'<'"),
    ("a|b", "'|'"),
    ("a\x00b", "control"),
]
GOOD_NAMES = ["news", "أخبار", "news-2025", "news.v2", "a" * MAX_NAME_BYTES, "n_1", "x+y"]


@pytest.mark.parametrize(("name", "reason"), BAD_NAMES)
def test_bad_names_are_refused_with_the_reason(name: str, reason: str) -> None:
    with pytest.raises(InvalidName) as refused:
        check_name(name)
    message = str(refused.value)
    assert reason in message and "\n" not in message


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_names_pass(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("url", [":notaport", "http://[::1", "http://localhost:99999", "ftp://x"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidName):
        check_url(url)


@pytest.mark.parametrize("url", ["http://localhost:9200", "https://u:p@[::1]:9200/", "http://h"])
def test_good_urls_pass(url: str) -> None:
    assert check_url(url) == url


def cli(tmp_path: Path, *args: str) -> Result:
    result = CliRunner().invoke(main, list(args), env={"SEARCHER_DATA_DIR": str(tmp_path / "d")})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.parametrize("engine", ["embedded", "opensearch"])
@pytest.mark.parametrize(("name", "reason"), BAD_NAMES[:14])
@pytest.mark.parametrize("command", ["search", "reindex"])
def test_the_cli_says_what_is_wrong_in_one_line_and_exits_2(
    tmp_path: Path, engine: str, name: str, reason: str, command: str
) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', "utf-8")
    target = ["الكتاب"] if command == "search" else [str(dump)]
    # An engine URL where nothing listens: had the command reached the engine, it would say
    # "unreachable" (exit 1) instead of naming the bad input (exit 2).
    done = cli(
        tmp_path,
        command,
        *target,
        "--engine",
        engine,
        "--url",
        "http://127.0.0.1:9",
        "--index",
        name,
    )
    assert done.exit_code == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "--index" in done.stderr and reason in done.stderr


def test_no_checkpoint_or_index_is_written_outside_the_data_directory(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', "utf-8")
    data = tmp_path / "deep" / "er" / "data"
    data.mkdir(parents=True)
    done = subprocess.run(
        [*CLI, "reindex", str(dump), "--data-dir", str(data), "--index", "a/../../../w/escaped"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["d.jsonl", "data", "deep", "er"]


@pytest.mark.parametrize("url", [":notaport", "http://[::1", "http://localhost:99999"])
def test_a_malformed_url_is_one_line_not_a_traceback(tmp_path: Path, url: str) -> None:
    done = subprocess.run(
        [*CLI, "search", "الكتاب", "--engine", "opensearch", "--url", url],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "--url" in done.stderr


# -- the library checks too: an engine never sends a request for a bad name ----------------------


@pytest.mark.engines
@pytest.mark.parametrize("name", ["_all", "b*", "*", "a,b", "_lead"])
def test_engines_refuse_bad_names_before_any_request(cluster: Engine, name: str) -> None:
    other = f"b{uuid.uuid4().hex[:8]}"
    cluster.create_index(other)  # something a wildcard or _all would have reached
    try:
        with pytest.raises(InvalidName):
            cluster.search(name, parse("الكتاب", ArabicAnalyzer()))
        with pytest.raises(InvalidName):
            cluster.count(name)
        with pytest.raises(InvalidName):
            cluster.delete_index(name)
        assert cluster.exists(other)
    finally:
        cluster.delete_index(other)


def test_embedded_engine_refuses_path_names(embedded: Engine, tmp_path: Path) -> None:
    for name in ("../escaped", "a/b", ".."):
        with pytest.raises(InvalidName):
            embedded.create_index(name)
    assert [p.name for p in tmp_path.iterdir()] in ([], ["data"])


def test_a_cluster_url_list_is_checked_url_by_url() -> None:
    # A comma-separated list of nodes is a cluster, not a malformed port.
    urls = "http://127.0.0.1:9500, http://127.0.0.1:9501,http://127.0.0.1:9502"
    assert Settings(url=urls).urls == [
        "http://127.0.0.1:9500",
        "http://127.0.0.1:9501",
        "http://127.0.0.1:9502",
    ]
    with pytest.raises(ValidationError, match="notaport"):
        Settings(url="http://127.0.0.1:9500,http://127.0.0.1:notaport")
