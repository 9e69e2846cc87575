"""Every user string is safe: random Unicode, engine query syntax and huge inputs never raise,
never make the engine error, and credentials never reach output, errors or logs."""

from __future__ import annotations

import html
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from searcher.arabic import ArabicAnalyzer
from searcher.engines import Engine, open_engine
from searcher.errors import EngineUnavailable
from searcher.models import Document
from searcher.query import Clause, QueryPlan, parse
from searcher.settings import Settings
from tests.conftest import SERVER_ENGINES, engine_url

ANALYZER = ArabicAnalyzer()
SYNTAX_CHARS = list('"-+*?~^:()[]{}!&|/\\<>= \u0000')
SYNTAX = [*SYNTAX_CHARS, "OR", "AND", "NOT", "title:", "*:*"]
queries = st.one_of(
    st.text(max_size=300),  # any Unicode at all, surrogates excluded by st.text
    st.lists(
        st.sampled_from([*SYNTAX, "الكتاب", "أحمد", "ٱلۡكِتَٰبُ", "-أحمد", '"أحمد', "لا", "<script>"]),
        max_size=40,
    ).map(" ".join),
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
            (
                "<b>عنوان</b>",
                "<script>alert('أحمد')</script> <img src=x onerror=alert(1)> الكتاب & OR",
            ),
        ]
    )
]


def _field_matches(clause: Clause, field: str, terms: list[str]) -> bool:
    wanted = list(clause.terms_for(field))
    if clause.kind == "phrase":  # the words side by side, in order
        return any(terms[i : i + len(wanted)] == wanted for i in range(len(terms)))
    return all(term in terms for term in wanted)


def _clause_matches(clause: Clause, doc: Document) -> bool:
    fields = {}
    for base in ("title", "body"):
        fields[base], fields[f"{base}.exact"] = ANALYZER.term_lists(getattr(doc, base))
    return any(_field_matches(clause, name, fields[name]) for name, _ in clause.fields())


def expected_ids(plan: QueryPlan) -> set[str]:
    """What the plan must match, worked out from the Python analysis alone (no engine)."""
    if plan.is_empty:
        return set()
    return {
        doc.id
        for doc in DOCS
        if all(any(_clause_matches(c, doc) for c in group) for group in plan.groups)
        and not any(_clause_matches(c, doc) for c in plan.excluded)
    }


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
@example(text="الكتاب -أحمد")
@example(text='"ٱلۡكِتَٰبُ لَا" OR المدرسة')
@example(text="<script> alert")
def test_any_string_is_a_safe_query_on_the_embedded_engine(embedded: Engine, text: str) -> None:
    plan = parse(text, ANALYZER)
    response = embedded.search("q", plan, size=5)
    # It matches exactly what the words say (no engine syntax, nothing lost)...
    assert {hit.id for hit in response.hits} == expected_ids(plan)
    assert response.total == len(response.hits)
    for hit in response.hits:
        # ...and every snippet is the document's text, escaped, with only our <mark> tags.
        bare = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare and ">" not in bare
        assert html.unescape(bare) == hit.snippet.text
        assert all(0 <= s < e <= len(hit.snippet.text) for s, e in hit.snippet.marks)


def test_the_oracle_sees_the_markup_document() -> None:
    # The property above is only worth something if random queries can reach document 2.
    assert expected_ids(parse("الكتاب", ANALYZER)) == {"0", "2"}
    assert expected_ids(parse('"أحمد"', ANALYZER)) == {"1", "2"}
    assert expected_ids(parse("أحمد -المدرسة", ANALYZER)) == {"2"}
    assert expected_ids(parse('"ٱلۡكِتَٰبُ لَا"', ANALYZER)) == {"0"}


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
