"""Dump readers: every format, field mapping, and bad records kept with their line numbers."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from searcher.dump import FieldMap, Reject, read
from searcher.models import Document

DOCS = [
    {"id": "a", "title": "المدرسة", "body": "ذهب أحمد إلى المدرسةِ", "tags": ["x"]},
    {"id": 2, "title": "الكتاب", "body": "ذَٰلِكَ ٱلۡكِتَٰبُ", "source": "quran"},
]


def _jsonl(records: list[object]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _ids(path: Path | io.BytesIO, **kwargs: object) -> list[str]:
    return [r.id for _, r in read(path, **kwargs) if isinstance(r, Document)]  # type: ignore[arg-type]


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(_jsonl(DOCS))
    records = [r for _, r in read(path)]
    assert [r.id for r in records] == ["a", "2"]  # numeric ids become strings
    assert records[1].model_extra == {"source": "quran"}  # unknown fields are kept


def test_gzipped_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    path.write_bytes(gzip.compress(_jsonl(DOCS)))
    assert _ids(path) == ["a", "2"]


def test_gzip_is_recognised_without_the_extension() -> None:
    assert _ids(io.BytesIO(gzip.compress(_jsonl(DOCS)))) == ["a", "2"]


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "docs.json"
    path.write_text(json.dumps(DOCS, ensure_ascii=False), encoding="utf-8")
    assert _ids(path) == ["a", "2"]


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    path.write_text('id,title,body,tags\na,المدرسة,ذهب أحمد,"x,y"\nb,الكتاب,نص\n', "utf-8")
    docs = [r for _, r in read(path)]
    assert [d.id for d in docs] == ["a", "b"]
    assert docs[0].tags == ["x", "y"]


def test_elasticsearch_bulk_and_export_lines(tmp_path: Path) -> None:
    lines = [
        {"index": {"_index": "old", "_id": "b1"}},
        {"title": "من الأرشيف", "body": "نص"},
        {"_index": "old", "_id": "e1", "_source": {"title": "تصدير", "body": "نص"}},
        {"update": {"_id": "u1"}},
        {"doc": {"title": "تحديث", "body": "نص"}},
    ]
    path = tmp_path / "dump.bulk"
    path.write_bytes(_jsonl(lines))
    assert _ids(path) == ["b1", "e1", "u1"]


def test_field_names_are_mappable(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(_jsonl([{"guid": "g1", "headline": "عنوان", "content": "المتن"}]))
    (doc,) = [
        r for _, r in read(path, fields=FieldMap(id="guid", title="headline", text="content"))
    ]
    assert (doc.id, doc.title, doc.body) == ("g1", "عنوان", "المتن")


def test_bad_lines_are_rejected_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        _jsonl([DOCS[0]])
        + b"{not json\n"
        + b"\n"  # a blank line is not a record
        + _jsonl([[1, 2], {"title": "no id"}, {"id": ""}, DOCS[1]])
    )
    results = list(read(path))
    rejects = [r for _, r in results if isinstance(r, Reject)]
    assert [r.line for r in rejects] == [2, 4, 5, 6]
    assert "invalid JSON" in rejects[0].reason
    assert "expected a JSON object" in rejects[1].reason
    assert "missing id" in rejects[2].reason
    assert "id" in rejects[3].reason
    assert rejects[0].raw == "{not json"
    # The good records around them all arrive.
    assert [r.id for _, r in results if isinstance(r, Document)] == ["a", "2"]


def test_a_bom_does_not_break_the_first_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _jsonl(DOCS))
    assert _ids(path) == ["a", "2"]


@pytest.mark.parametrize("content", [b"", b"\n\n"])
def test_an_empty_file_yields_nothing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert list(read(path)) == []
