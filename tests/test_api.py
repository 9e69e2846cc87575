"""The HTTP API: shape, limits, caching, errors that leak nothing, and the keyed write endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.arabic import terms
from searcher.dump import read
from searcher.engines import open_engine
from searcher.models import Document
from searcher.settings import Settings

KEY = "a-write-key-of-16-chars-or-more"
SAMPLE = Path(__file__).parents[1] / "searcher" / "data" / "sample_corpus.jsonl"
XSS = Document(
    id="xss", title="<img src=x onerror=alert(1)>", body="<script>alert(1)</script> تجربة"
)


def loaded_settings(tmp_path: Path, **overrides: object) -> Settings:
    settings = Settings(engine="embedded", data_dir=tmp_path, index="site", **overrides)
    engine = open_engine(settings)
    engine.create_index("site")
    engine.bulk("site", [d for _, d in read(SAMPLE) if isinstance(d, Document)] + [XSS])
    engine.refresh("site")
    engine.close()
    return settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = loaded_settings(tmp_path, write_key=KEY, cors_origins="https://site.example")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_search_has_the_cli_json_shape(client: TestClient) -> None:
    response = client.get("/search", params={"q": "الرحمن", "size": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        *("total", "took_ms", "partial", "shards", "hits", "relaxed", "dropped"),
        *("corrected", "did_you_mean", "facets"),
    }
    assert body["relaxed"] is False  # the query as typed found these
    assert body["partial"] is False
    assert body["total"] >= 3 and len(body["hits"]) == 3
    hit = body["hits"][0]
    assert {"id", "score", "title", "snippet_html", "snippet"} <= set(hit)
    start, end = hit["snippet"]["marks"][0]
    assert terms(hit["snippet"]["text"][start:end]) == ["رحمن"]  # Uthmani ٱلرَّحۡمَٰنِ
    assert "<mark>" in hit["snippet_html"]


def test_snippet_html_never_carries_document_markup(client: TestClient) -> None:
    hit = client.get("/search", params={"q": "تجربة"}).json()["hits"][0]
    assert hit["id"] == "xss"
    assert "<script>" not in hit["snippet_html"] and "&lt;script&gt;" in hit["snippet_html"]


def test_search_responses_are_cacheable(client: TestClient) -> None:
    first = client.get("/search", params={"q": "بوتين"})
    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get(
        "/search", params={"q": "بوتين"}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "x" * 201}, 422),  # query length
        ({"q": "x", "size": 51}, 422),  # page size
        ({"q": "x", "page": 0}, 422),
        ({"q": "x", "page": 21}, 422),  # page depth
        ({}, 422),  # no query at all
    ],
)
def test_limits(client: TestClient, params: dict, status: int) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == status
    assert response.json()


def test_suggest_completes_a_partial_word(tmp_path: Path) -> None:
    settings = Settings(engine="embedded", data_dir=tmp_path, index="school")
    engine = open_engine(settings)
    engine.create_index("school")
    engine.bulk(
        "school",
        [
            Document(id="1", body="ذهب الطلاب إلى المدرسة صباحا"),
            Document(id="2", body="مدرسة جديدة في المدينة، والمدرسة القديمة مغلقة"),
        ],
    )
    engine.refresh("school")
    with TestClient(create_app(settings, engine)) as client:
        found = client.get("/suggest", params={"q": "مدر"}).json()["suggestions"]
        assert "المدرسة" in found
        assert "مدرسة" in found
        assert client.get("/suggest", params={"q": "م"}).json()["suggestions"] == []


def test_suggestions_show_the_spelling_readers_type(client: TestClient) -> None:
    # Issue #13: «الصل» offered the half-normalised Uthmani «ٱلصلوٰة»; a reader writes الصلاة.
    found = client.get("/suggest", params={"q": "الصل"}).json()["suggestions"]
    assert "الصلاة" in found
    quranic = set("\u0670\u0671\u06e1\u06e5\u06e6\u0640")  # ٰ ٱ ۡ ۥ ۦ and the kashida
    assert found and not any(quranic & set(word) for word in found)
    found = client.get("/suggest", params={"q": "ذل"}).json()["suggestions"]
    assert "ذلك" in found and "ذالك" not in found  # Uthmani ذَٰلِكَ in its standard spelling


def test_a_written_word_reaches_the_suggestions(client: TestClient) -> None:
    assert client.get("/suggest", params={"q": "مكتبا"}).json()["suggestions"] == []
    doc = {"id": "lib", "title": "خبر", "body": "افتتاح مكتبات عامة جديدة"}
    assert client.post("/documents", json=doc, headers={"X-API-Key": KEY}).status_code == 200
    # The dictionary is rebuilt in the background; meanwhile the previous one answers.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = client.get("/suggest", params={"q": "مكتبا"}).json()["suggestions"]
        if found:
            break
        time.sleep(0.05)
    assert found == ["مكتبات"]


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {
        "status": "ok",
        "engine": "embedded",
        "index": "site",
        "documents": 195,
    }


def test_health_and_search_without_an_index(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(engine="embedded", data_dir=tmp_path, index="none"))) as c:
        assert c.get("/health").status_code == 503
        response = c.get("/search", params={"q": "x"})
        assert response.status_code == 404
        assert str(tmp_path) not in response.text  # no paths, hosts or credentials leak


def test_engine_down_is_503_and_names_no_host(tmp_path: Path) -> None:
    settings = Settings(engine="opensearch", url="http://admin:hunter2@127.0.0.1:9", max_retries=0)
    with TestClient(create_app(settings)) as client:
        response = client.get("/search", params={"q": "كتاب"})
        assert response.status_code == 503
        assert response.json() == {"error": "the search engine is unavailable"}
        assert "hunter2" not in response.text and "127.0.0.1" not in response.text


def test_writes_need_the_key(client: TestClient) -> None:
    doc = {"id": "new", "title": "خبر جديد", "body": "افتتاح مكتبة عامة"}
    assert client.post("/documents", json=[doc]).status_code == 401
    assert client.post("/documents", json=[doc], headers={"X-API-Key": "wrong"}).status_code == 401
    ok = client.post("/documents", json=[doc], headers={"X-API-Key": KEY})
    assert ok.json() == {"indexed": 1, "deleted": 0, "errors": []}
    assert [h["id"] for h in client.get("/search", params={"q": "مكتبة"}).json()["hits"]] == ["new"]
    assert client.delete("/documents/new").status_code == 401
    assert client.delete("/documents/new", headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/search", params={"q": "مكتبة"}).json()["total"] == 0


def test_without_a_key_there_are_no_write_endpoints(tmp_path: Path) -> None:
    with TestClient(create_app(loaded_settings(tmp_path))) as client:
        assert client.post("/documents", json=[]).status_code in (404, 405)
        assert "/documents" not in client.get("/openapi.json").json()["paths"]


def test_cors_allow_list(client: TestClient) -> None:
    allowed = client.get("/search", params={"q": "x"}, headers={"Origin": "https://site.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://site.example"
    other = client.get("/search", params={"q": "x"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_demo_page_and_widget_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "widget.js" in page.text and 'dir="rtl"' in page.text
    script = client.get("/static/widget.js")
    assert script.status_code == 200 and "innerHTML" not in script.text
    assert client.get("/static/widget.css").status_code == 200
