"""The embedded engine analyses a chunk's documents in worker processes (`engines/prepare.py`).

Where a document is analysed must not change what ends up indexed, nor the all-or-nothing
promise of a chunk: the same index as one process builds, and a document that cannot be encoded,
even one a worker prepared, fails its chunk with nothing of it committed.
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from bench.corpus import documents
from searcher.arabic import ArabicAnalyzer
from searcher.engines.embedded import EmbeddedEngine
from searcher.engines.prepare import PIECE_DOCS
from searcher.filters import Filters
from searcher.indexer import RejectsFile, index_records
from searcher.models import Document
from searcher.query import parse
from tests.serving import CLI

ANALYZER = ArabicAnalyzer()
QUERIES = ["الكتاب", "الرحمن", "يوم القيامة", '"الرئيس الروسي"', "الصلاة -الزكاة", "بوتين OR ترامب"]


def _ranked(engine: EmbeddedEngine, index: str) -> list[list[tuple[float, str]]]:
    """Every hit of every query, best first; ties (equal scores) by id, since tantivy orders
    them by segment layout, which its background merges decide."""
    found = []
    for query in QUERIES:
        response = engine.search(index, parse(query, ANALYZER), size=5000)
        found.append(sorted((-hit.score, hit.id) for hit in response.hits))
    return found


def _site_fields(docs: list[Document]) -> list[Document]:
    """The documents with what filters, facets and the date sort read: tags, a declared
    keyword field and a date, varied, and one document the index refuses (an object in the
    declared field) in a piece a worker prepares."""
    varied = [
        doc.model_copy(
            update={
                "tags": [("سياسة", "اقتصاد", "رياضة")[i % 3]],
                "published_at": date(2020, 1, 1) + timedelta(days=i % 400) if i % 7 else None,
            }
        )
        for i, doc in enumerate(docs)
    ]
    for i, doc in enumerate(varied):
        category = {"bad": "object"} if i == PIECE_DOCS + 3 else f"قسم {i % 5}"
        varied[i] = Document.model_validate({**doc.model_dump(), "category": category})
    return varied


def _site_view(engine: EmbeddedEngine, index: str) -> tuple[object, ...]:
    """What the search box reads of an index: the word dictionary, facet counts, a filtered
    search and the newest documents."""
    filters = Filters(tags=("اقتصاد",), fields=(("category", ("قسم 2",)),))
    faceted = engine.search(index, parse("الكتاب", ANALYZER), facets=("tags", "category"))
    filtered = engine.search(index, parse("الكتاب", ANALYZER, filters), size=5000)
    newest = engine.search(index, parse("", ANALYZER, Filters(tags=("سياسة",))), sort="date")
    return (
        sorted(engine.dictionary_values(index)),
        faceted.facets,
        sorted(hit.id for hit in filtered.hits),
        [hit.id for hit in newest.hits],
    )


def test_worker_processes_build_the_same_index_as_one_process(tmp_path: Path) -> None:
    docs = _site_fields(list(documents(3 * PIECE_DOCS + 100, seed=3)))  # four pieces a chunk
    indices = {}
    for workers in (0, 2):
        engine = EmbeddedEngine(
            tmp_path / f"w{workers}", ArabicAnalyzer(), ("category",), workers=workers
        )
        report = index_records(engine, "t", enumerate(docs, 1), RejectsFile(tmp_path / "r.jsonl"))
        assert report.indexed == len(docs) - 1  # the object in a declared field is refused
        indices[workers] = (engine.count("t"), _ranked(engine, "t"), _site_view(engine, "t"))
        engine.close()
    assert indices[0][0] == indices[2][0] == len(docs) - 1
    assert indices[0][1] == indices[2][1]
    assert all(indices[0][1])  # every query found something to compare
    assert indices[0][2] == indices[2][2]
    dictionary, facets, filtered, newest = indices[0][2]
    assert len(dictionary) > 100 and facets["tags"] and facets["category"]
    assert filtered and len(newest) == 10


def test_a_document_a_worker_cannot_encode_fails_its_chunk_with_nothing_committed(
    tmp_path: Path,
) -> None:
    engine = EmbeddedEngine(tmp_path, ArabicAnalyzer(), workers=1)
    engine.create_index("t")
    docs = list(documents(2 * PIECE_DOCS, seed=5))
    # A lone surrogate slips past validation through model_construct, as a library caller's
    # could; it sits in the second piece, which the worker prepares.
    docs[PIECE_DOCS + 7] = Document.model_construct(id="bad", title="\ud800", body="نص", tags=[])
    with pytest.raises((TypeError, UnicodeError)):
        engine.bulk("t", docs)
    engine.refresh("t")
    assert engine.count("t") == 0
    # The engine and its workers go on: the next chunk lands, and only it.
    good = list(documents(2 * PIECE_DOCS, seed=6))
    assert all(item.ok for item in engine.bulk("t", good))
    engine.refresh("t")
    assert engine.count("t") == len(good)
    engine.close()


def test_too_many_workers_is_a_usage_error(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text('{"id": "1", "body": "نص"}\n', encoding="utf-8")
    args = ["index", str(dump), "--data-dir", str(tmp_path / "data"), "--workers", "1000"]
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "--workers" in done.stderr
