"""Every user string is safe: random Unicode, engine query syntax and huge inputs never raise,
never make the engine error, and credentials never reach output, errors or logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.errors import EngineUnavailable
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url

ANALYZER = ArabicAnalyzer()
SYNTAX_CHARS = list('"-+*?~^:()[]{}!&|/\\<>= \u0000')
SYNTAX = [*SYNTAX_CHARS, "OR", "AND", "NOT", "title:", "*:*"]
queries = st.one_of(
    st.text(max_size=300),  # any Unicode at all, surrogates excluded by st.text
    st.lists(st.sampled_from([*SYNTAX, "الكتاب", "أحمد", "ٱلۡكِتَٰبُ"]), max_size=40).map(" ".join),
    st.text(
        alphabet=st.sampled_from([*SYNTAX_CHARS, *"ابتثجحخدذرزسشصضطظعغفقكلمنهوي ًٌٍَُِّْٰ"]),
        min_size=1000,
        max_size=3000,
    ),
)
DOCS = [
    Document(id=str(i), title=t, body=b)
    for i, (t, b) in enumerate(
        [
            ("الكتاب", "ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ"),
            ("خبر", 'قال أحمد: "المدرسة" (الجديدة) مفتوحة - title:x *:*'),
        ]
    )
]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = open_engine(Settings(engine="embedded", data_dir=tmp_path_factory.mktemp("q")))
    engine.create_index("q")
    engine.bulk("q", DOCS)
    engine.refresh("q")
    yield engine
    engine.close()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=queries)
def test_any_string_is_a_safe_query_on_the_embedded_engine(embedded: Engine, text: str) -> None:
    response = embedded.search("q", parse(text, ANALYZER), size=5)
    assert response.total >= 0
    for hit in response.hits:
        assert "<script" not in hit.snippet_html


@pytest.mark.engines
@pytest.mark.parametrize("name", SERVER_ENGINES)
def test_any_string_is_a_safe_query_on_a_server_engine(name: str) -> None:
    engine = open_engine(Settings(engine=name, url=engine_url(name)))
    engine.delete_index("query-safety")
    engine.create_index("query-safety")
    engine.bulk("query-safety", DOCS)
    engine.refresh("query-safety")

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=queries)
    def check(text: str) -> None:
        engine.search("query-safety", parse(text, ANALYZER), size=5)  # raises on engine errors

    try:
        check()
    finally:
        engine.delete_index("query-safety")


SECRETS = {"password": "pw-7b1e9c", "api_key": "key-55aa0f", "url_password": "urlpw-3c2d"}


@pytest.mark.parametrize("engine", ["elasticsearch", "opensearch"])
def test_credentials_never_appear_in_output_errors_or_logs(
    engine: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {
        **os.environ,
        "SEARCHER_ENGINE": engine,
        "SEARCHER_URL": f"http://admin:{SECRETS['url_password']}@127.0.0.1:9",
        "SEARCHER_USERNAME": "admin",
        "SEARCHER_PASSWORD": SECRETS["password"],
        "SEARCHER_API_KEY": SECRETS["api_key"],
        "SEARCHER_MAX_RETRIES": "0",
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', encoding="utf-8")
    outputs = []
    for args in (
        ["search", "كتاب", "--json"],
        ["index", str(dump), "--json"],
        ["analyze", "كتاب", "--json"],
        ["reindex", str(dump), "--json"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "searcher.cli", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode != 0  # the engine is down: every command says so...
        outputs += [done.stdout, done.stderr]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(EngineUnavailable):  # ...and so does the library, logging at DEBUG
        settings_ = Settings(
            engine=engine,
            url=env["SEARCHER_URL"],
            username="admin",
            password=SECRETS["password"],
            max_retries=0,
        )
        open_engine(settings_).count("x")
    outputs.append(caplog.text)
    outputs.append(repr(Settings(password=SECRETS["password"], api_key=SECRETS["api_key"])))
    everything = "\n".join(outputs)
    assert "unreachable" in everything
    for secret in SECRETS.values():
        assert secret not in everything
