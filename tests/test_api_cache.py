"""The search API's ETag follows the answer: a write makes the old ETag stale (200, not 304)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from searcher.api import create_app
from searcher.engines import open_engine
from searcher.models import Document
from searcher.settings import Settings


def test_an_etag_names_one_answer_and_a_write_retires_it(tmp_path: Path) -> None:
    settings = Settings(engine="embedded", data_dir=tmp_path, index="site")
    engine = open_engine(settings)
    engine.create_index("site")
    engine.bulk("site", [Document(id="old", body="مكتبة المدينة القديمة")])
    engine.refresh("site")
    with TestClient(create_app(settings, engine)) as client:
        query = {"q": "مكتبة"}
        first = client.get("/search", params=query)
        etag = first.headers["etag"]
        cached = client.get("/search", params=query, headers={"If-None-Match": etag})
        assert (cached.status_code, cached.content) == (304, b"")
        assert cached.headers["etag"] == etag

        # Other questions have other answers, hence other ETags.
        others = [{"q": "المدينة القديمة"}, {"q": "مكتبة", "page": 2}, {"q": "غائبة"}]
        assert etag not in {client.get("/search", params=p).headers["etag"] for p in others}

        # Another writer adds a matching document: the old ETag no longer names the answer.
        engine.bulk("site", [Document(id="new", body="افتتاح مكتبة عامة")])
        engine.refresh("site")
        fresh = client.get("/search", params=query, headers={"If-None-Match": etag})
        assert fresh.status_code == 200
        assert fresh.headers["etag"] != etag
        assert {hit["id"] for hit in fresh.json()["hits"]} == {"old", "new"}
        again = client.get(
            "/search", params=query, headers={"If-None-Match": fresh.headers["etag"]}
        )
        assert again.status_code == 304
    engine.close()
