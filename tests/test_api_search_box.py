"""The search box's parameters over HTTP: filters, facets, sort, did-you-mean and /suggest.

Their behaviour on every engine is tests/test_search_box.py; here, what the API adds: the
OpenAPI schema states every parameter with its limits, an undeclared field is a 400 naming what
is declared, bounds are 422s, and hostile input (empty, huge, nested, not UTF-8, javascript:)
gets a short error or a plain answer, never a 5xx and never unescaped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.engines import open_engine
from searcher.limits import (
    MAX_FACET_FIELDS,
    MAX_FILTER_VALUES,
    MAX_KEYWORD_CHARS,
    SUGGEST_MAX_SIZE,
)
from searcher.settings import Settings
from tests.site_corpus import (
    DECLARED,
    MOSCOW,
    POLITICS,
    RUSSIA,
    UKRAINE,
    site_documents,
    when,
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        engine="embedded",
        data_dir=tmp_path_factory.mktemp("api"),
        index="news",
        filterable=DECLARED,
    )
    engine = open_engine(settings)
    engine.create_index("news")
    engine.bulk("news", site_documents())
    engine.refresh("news")
    engine.close()
    with TestClient(create_app(settings.model_copy(update={"filterable": ()}))) as test_client:
        yield test_client  # the server's own SEARCHER_FILTERABLE is empty: the index decides


def get(client: TestClient, path: str = "/search", **params: object):
    return client.get(path, params=params)


def test_the_openapi_schema_states_every_parameter_and_its_limits(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    search = {p["name"]: p for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert {
        "q",
        "page",
        "size",
        "tag",
        "tags_match",
        "since",
        "until",
        "filter",
        "sort",
        "facets",
    } <= set(search)
    assert search["tag"]["schema"]["maxItems"] == MAX_FILTER_VALUES
    assert search["tag"]["schema"]["items"]["maxLength"] == MAX_KEYWORD_CHARS
    assert search["filter"]["schema"]["maxItems"] == MAX_FILTER_VALUES
    assert search["facets"]["schema"]["maxItems"] == MAX_FACET_FIELDS
    assert search["sort"]["schema"]["enum"] == ["relevance", "date"]
    assert search["tags_match"]["schema"]["enum"] == ["any", "all"]
    for name in ("tag", "filter", "facets", "since", "until", "sort"):
        assert search[name].get("description"), name
    suggest = {p["name"]: p for p in spec["paths"]["/suggest"]["get"]["parameters"]}
    assert suggest["size"]["schema"]["maximum"] == SUGGEST_MAX_SIZE
    assert "400" in spec["paths"]["/search"]["get"]["responses"]


def test_filters_facets_and_sort_over_http(client: TestClient) -> None:
    response = get(
        client,
        q="",
        tag=[POLITICS, UKRAINE],
        tags_match="all",
        sort="date",
        facets=["tags", "author"],
    )
    assert response.status_code == 200
    body = response.json()
    wanted = [d for d in site_documents() if {POLITICS, UKRAINE} <= set(d.tags)]
    assert body["total"] == len(wanted) > 1
    assert body["facets"]["tags"][POLITICS] == len(wanted)
    assert sum(body["facets"]["author"].values()) == len(wanted)
    dated = get(client, q="بوتين", filter=[f"author={MOSCOW}"], since="2025-12-02").json()
    by_id = {d.id: d for d in site_documents()}
    assert dated["total"] == len(dated["hits"]) > 0
    for hit in dated["hits"]:
        doc = by_id[hit["id"]]
        assert doc.model_extra["author"] == MOSCOW and when(doc) >= datetime(
            2025, 12, 2, tzinfo=UTC
        )


def test_each_filter_gets_its_own_cache_entry(client: TestClient) -> None:
    one = get(client, q="بوتين", tag=[RUSSIA])
    other = get(client, q="بوتين", tag=[POLITICS])
    assert one.headers["etag"] != other.headers["etag"]


@pytest.mark.parametrize(
    "params",
    [
        {"filter": ["internal_note=ملاحظة داخلية سرية"]},  # a field the site keeps private
        {"filter": ["body=بوتين"]},
        {"facets": ["internal_note"]},
        {"facets": ["url"]},
    ],
)
def test_an_undeclared_field_is_a_400_naming_what_is_declared(client: TestClient, params) -> None:
    response = get(client, q="بوتين", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "author, category" in error and "سرية" not in error and "بوتين" not in error[40:]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"tag": [""]}, 422),  # empty
        ({"tag": ["س" * (MAX_KEYWORD_CHARS + 1)]}, 422),  # huge
        ({"tag": [str(n) for n in range(MAX_FILTER_VALUES + 1)]}, 422),
        ({"tag": [str(n) for n in range(15)], "filter": [f"author={n}" for n in range(15)]}, 400),
        ({"filter": ["category=" + "[" * 300]}, 422),  # nested beyond any value's length
        ({"filter": ["category=" + "[{" * 60 + "}]" * 60]}, 200),  # nested, and just a string
        ({"filter": ["a=b=c"]}, 400),  # the value is b=c; a is declared nowhere
        ({"facets": ["tags"] * (MAX_FACET_FIELDS + 1)}, 422),
        ({"facets": ["x" * 41]}, 422),
        ({"sort": "newest"}, 422),
        ({"tags_match": "some"}, 422),
        ({"since": "2025-13-45"}, 400),
        ({"since": "9" * 41}, 422),
        ({"until": "javascript:alert(1)"}, 400),
        ({"tag": ["javascript:alert(1)"]}, 200),  # a tag no document has: nothing, as JSON
        ({"facets": ["javascript:alert(1)"]}, 400),
        ({"tag": ["<script>alert(1)</script>"]}, 200),
    ],
)
def test_hostile_parameters_get_a_short_error_or_a_plain_answer(
    client: TestClient, params: dict, status: int
) -> None:
    response = get(client, q="بوتين", **params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert len(response.content) < 20_000
    if status != 200:
        assert set(response.json()) == {"error"}
    assert "<script>" not in response.text


def test_bytes_that_are_not_utf8_are_no_server_error(client: TestClient) -> None:
    for path in (
        "/search?q=%D8%A8&tag=%FF%FE",
        "/search?q=&filter=category%3D%C3%28",
        "/search?q=%D8%A8&facets=%FF",
        "/suggest?q=%FF%FE%FD",
        "/search?q=%D8%A8&since=%ED%A0%80",
    ):
        response = client.get(path)
        assert response.status_code < 500 and response.json(), path


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("", []),
        ("ب", []),  # one letter matches everything: nothing yet
        ("javascript:alert(1)", []),
        ("<img src=x onerror=alert(1)>", []),
        ("[[[[[[[[[[[[[[[[[[[[", []),
    ],
)
def test_suggest_takes_any_text(client: TestClient, q: str, expected: list) -> None:
    response = get(client, "/suggest", q=q)
    assert response.status_code == 200 and response.json() == {"query": q, "suggestions": expected}


def test_suggest_bounds(client: TestClient) -> None:
    assert get(client, "/suggest", q="x" * 201).status_code == 422
    assert get(client, "/suggest", q="بو", size=SUGGEST_MAX_SIZE + 1).status_code == 422
    assert get(client, "/suggest", q="بو", size=0).status_code == 422
    assert len(get(client, "/suggest", q="ال", size=2).json()["suggestions"]) == 2


def test_did_you_mean_and_corrected_results_over_http(client: TestClient) -> None:
    body = get(client, q="الكرملبن").json()
    assert body["corrected"] is True and body["did_you_mean"] == "الكرملين"
    assert body["total"] == get(client, q="الكرملين").json()["total"] > 0
