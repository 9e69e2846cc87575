"""The API in front of the public: the write key, what errors echo, headers, odd ids.

Each test names the issue #9 item it guards.  In-process (TestClient) where the behaviour is the
app's; `tests/test_serve_limits.py` has the ones that need the real server.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.arabic import ArabicAnalyzer
from searcher.engines.wire import POST_TAG, PRE_TAG, parse_hits
from searcher.errors import SearcherError
from searcher.settings import Settings
from searcher.snippets import window
from tests.serving import CLI
from tests.test_api import KEY, loaded_settings

ARABIC_KEY = "مفتاح-الكتابة-السري-٢٠٢٥"  # 24 characters, 43 bytes of UTF-8
NEWS = {"id": "n1", "title": "خبر جديد", "body": "افتتاح مكتبة عامة في المدينة"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(loaded_settings(tmp_path, write_key=KEY))) as test_client:
        yield test_client


# -- item 1: a weak key refuses to start ---------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "empty or blank"),
        ("   \t ", "empty or blank"),
        ("short-key", "shorter than 16 characters"),
        (" padded-but-long-enough-key", "whitespace"),
        ("long-enough-key-with\nnewline", "control or invisible"),
    ],
)
def test_a_weak_write_key_refuses_to_build_the_app(tmp_path: Path, key: str, reason: str) -> None:
    with pytest.raises(SearcherError, match=reason) as raised:
        create_app(Settings(engine="embedded", data_dir=tmp_path, write_key=key))
    assert key.strip() == "" or key not in str(raised.value)  # the key itself is never printed


@pytest.mark.parametrize("key", ["", "   ", "tooshort"])
def test_serve_with_a_weak_key_exits_with_one_line(tmp_path: Path, key: str) -> None:
    done = subprocess.run(
        [*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path)],
        env={"SEARCHER_WRITE_KEY": key, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,  # the old server started serving with an empty key and never returned
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: SEARCHER_WRITE_KEY ")
    assert len(done.stderr.strip().splitlines()) == 1  # one line: no traceback, no "serving"


def test_an_empty_key_never_opened_the_write_routes(tmp_path: Path) -> None:
    # What the old code did with SEARCHER_WRITE_KEY= : POST and DELETE answered 200 without a key.
    with pytest.raises(SearcherError):
        create_app(loaded_settings(tmp_path, write_key=""))


# -- item 2: a non-ASCII key works, compared as UTF-8 bytes ---------------------------------------


def test_a_non_ascii_key_matches_its_utf8_bytes(tmp_path: Path) -> None:
    with TestClient(create_app(loaded_settings(tmp_path, write_key=ARABIC_KEY))) as client:
        right = {"X-API-Key": ARABIC_KEY.encode("utf-8")}
        assert client.post("/documents", json=[NEWS], headers=right).status_code == 200
        wrong = {"X-API-Key": ARABIC_KEY[:-1].encode("utf-8") + b"x"}
        assert client.post("/documents", json=[NEWS], headers=wrong).status_code == 401
        latin1 = {"X-API-Key": ARABIC_KEY.encode("utf-8").decode("latin-1").encode("utf-8")}
        assert client.post("/documents", json=[NEWS], headers=latin1).status_code == 401
        assert client.delete("/documents/n1", headers=right).status_code == 200


# -- item 13: ids with a slash -------------------------------------------------------------------


def test_a_document_whose_id_holds_slashes_can_be_deleted(client: TestClient) -> None:
    doc = {"id": "news/2024/07/مكتبة", "title": "خبر", "body": "افتتاح مكتبة عامة"}
    assert client.post("/documents", json=[doc], headers={"X-API-Key": KEY}).status_code == 200
    assert client.get("/search", params={"q": "مكتبة"}).json()["hits"][0]["id"] == doc["id"]
    gone = client.delete("/documents/news/2024/07/مكتبة", headers={"X-API-Key": KEY})
    assert gone.json() == {"indexed": 0, "deleted": 1, "errors": []}
    assert client.get("/search", params={"q": "مكتبة"}).json()["total"] == 0


# -- item 14 (and 9): errors in the {error} shape, input cut short, never a crash ----------------


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/search", {"params": {"q": "ب" * 5_000}}),
        ("get", "/suggest", {"params": {"q": "x" * 50_000}}),
        ("get", "/search", {"params": {"q": "كتاب", "size": "9" * 40_000}}),
        ("post", "/documents", {"json": [{"id": "x" * 100_000, "title": ["not", "text"]}]}),
        ("post", "/documents", {"json": {"id": "ok", "tags": {"t": "x" * 100_000}}}),
    ],
)
def test_422_is_short_and_has_the_error_shape(
    client: TestClient, method: str, path: str, kwargs: dict
) -> None:
    response = getattr(client, method)(path, headers={"X-API-Key": KEY}, **kwargs)
    assert response.status_code == 422
    assert list(response.json()) == ["error"]
    assert len(response.content) < 1000


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"id": "\\ud800", "title": "\\u0639\\u0646\\u0648\\u0627\\u0646"}]',  # lone surrogate id
        b'[{"id": "\\ud800", "title": 5}]',  # ... and another error beside it
        b'{"id": "ok", "title": "\\udfff"}',  # in a title
        b'{"id": "ok", "extra": {"deep": ["\\ud83d"]}}',  # in a field we only store
    ],
)
def test_lone_surrogates_are_a_422_not_a_crash(client: TestClient, raw: bytes) -> None:
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    response = client.post("/documents", content=raw, headers=headers)
    assert response.status_code == 422
    assert "error" in response.json()
    assert client.get("/health").json()["documents"] == 195  # nothing of it was written


def test_errors_never_use_the_detail_shape(client: TestClient) -> None:
    for response in (
        client.get("/search"),
        client.get("/nowhere"),
        client.post("/documents", json=[]),
        client.put("/search"),
    ):
        assert list(response.json()) == ["error"], response.text


# -- issue #11 item 8: one document or a list ---------------------------------------------------


def test_post_accepts_one_document_as_well_as_a_list(client: TestClient) -> None:
    one = client.post("/documents", json=NEWS, headers={"X-API-Key": KEY})
    assert one.json() == {"indexed": 1, "deleted": 0, "errors": []}
    assert client.get("/search", params={"q": "مكتبة"}).json()["hits"][0]["id"] == "n1"
    schema = client.get("/openapi.json").json()["paths"]["/documents"]["post"]["requestBody"]
    accepted = schema["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/Document"} in accepted
    assert {"type": "array", "items": {"$ref": "#/components/schemas/Document"}} in accepted


# -- item 16: nosniff everywhere, a CSP on the demo page -----------------------------------------


def test_every_response_says_nosniff(client: TestClient) -> None:
    for response in (
        client.get("/search", params={"q": "الرحمن"}),
        client.get("/suggest", params={"q": "الرح"}),
        client.get("/health"),
        client.get("/"),
        client.get("/static/widget.js"),
        client.get("/openapi.json"),
        client.get("/nowhere"),
        client.get("/search", params={"q": "x" * 300}),
        client.post("/documents", json=[NEWS]),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url


def test_the_demo_page_has_a_content_security_policy(client: TestClient) -> None:
    policy = client.get("/").headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


# -- item 9: a write request is all or nothing ---------------------------------------------------


def test_a_bad_document_fails_the_whole_request_and_frees_the_index(tmp_path: Path) -> None:
    settings = loaded_settings(tmp_path, write_key=KEY)
    raw = (
        b'[{"id": "a1", "title": "\\u0645\\u0643\\u062a\\u0628\\u0629", "body": "x"},'
        b' {"id": "a2", "title": "\\ud800 \\u0645\\u0643\\u062a\\u0628\\u0629"},'
        b' {"id": "a3", "title": "\\u0645\\u0643\\u062a\\u0628\\u0629"}]'
    )
    headers = {"X-API-Key": KEY, "Content-Type": "application/json"}
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.post("/documents", content=raw, headers=headers)
        assert failed.status_code == 422
        assert "body.1.title" in failed.json()["error"]
        # The index is not held: another process can write to it now.
        dump = tmp_path / "more.jsonl"
        dump.write_text('{"id": "cli", "body": "من سطر الأوامر"}\n', encoding="utf-8")
        other = subprocess.run(
            [*CLI, "index", str(dump), "--data-dir", str(tmp_path), "--index", "site"],
            capture_output=True,
            text=True,
        )
        assert other.returncode == 0, other.stderr
        # A later good request commits itself only, never the failed request's documents.
        assert client.post("/documents", json=NEWS, headers={"X-API-Key": KEY}).status_code == 200
        ids = {hit["id"] for hit in client.get("/search", params={"q": "مكتبة"}).json()["hits"]}
        assert ids == {"n1"}
        assert client.get("/health").json()["documents"] == 195 + 2


# -- item 16: bidi controls never reach a snippet ------------------------------------------------

RLO, PDF, RLI, PDI, LRE = "\u202e", "\u202c", "\u2067", "\u2069", "\u202a"
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SPOOF = {
    "id": "spoof",
    "title": "عنوان",
    # An override that reverses what follows, an isolate, an embedding left open: around and
    # inside the word a reader searches for.
    "body": f"قال {RLO}المتحدث{PDF} إن {RLI}الاتفاق{PDI} تم {LRE}وانتهى الأمر مكتبة{RLO}",
}


def test_snippets_carry_no_bidi_controls_and_marks_stay_on_the_word(tmp_path: Path) -> None:
    with TestClient(create_app(loaded_settings(tmp_path, write_key=KEY))) as client:
        client.post("/documents", json=SPOOF, headers={"X-API-Key": KEY})
        for query, word in (("المتحدث", "المتحدث"), ("الاتفاق", "الاتفاق"), ("مكتبة", "مكتبة")):
            hits = client.get("/search", params={"q": query}).json()["hits"]
            (hit,) = [h for h in hits if h["id"] == "spoof"]
            text, marks = hit["snippet"]["text"], hit["snippet"]["marks"]
            assert not BIDI_CONTROLS.intersection(text + hit["snippet_html"])
            assert [text[s:e] for s, e in marks] == [word]
            assert f"<mark>{word}</mark>" in hit["snippet_html"]


def test_engine_highlights_lose_bidi_controls_too() -> None:
    # What Elasticsearch/OpenSearch send back (their highlighter keeps every character).
    body = f"قال {RLO}المتحدث{PDF} إن {RLI}الاتفاق{PDI}"
    fragment = f"قال {RLO}{PRE_TAG}المتحدث{POST_TAG}{PDF} إن {PRE_TAG}{RLI}الاتفاق{PDI}{POST_TAG}"
    raw = {"_id": "1", "_source": {"body": body}, "highlight": {"body": [fragment]}}
    _, (hit,) = parse_hits({"hits": {"total": 1, "hits": [raw]}}, ArabicAnalyzer())
    snippet = hit.snippet
    assert snippet.text == "قال المتحدث إن الاتفاق"
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["المتحدث", "الاتفاق"]
    long_text = "كلمة " * 100 + f"{RLO}المتحدث{PDF} " + "كلمة " * 100
    start = long_text.index("المتحدث")
    windowed = window(long_text, [(start, start + len("المتحدث"))])
    assert not BIDI_CONTROLS.intersection(windowed.text)
    assert [windowed.text[s:e] for s, e in windowed.marks] == ["المتحدث"]
