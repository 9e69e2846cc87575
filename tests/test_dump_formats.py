"""Dump readers, record by record: the exact `Document` or `Reject` (line, reason, raw) each
record becomes, for CSV, JSON arrays and JSON lines, and how fields are mapped."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from searcher.dump import FieldMap, Reject, Source, read, to_document
from searcher.models import Document

BOM = "\ufeff".encode()


def records(tmp_path: Path, name: str, content: bytes, **kwargs: object) -> list:
    path = tmp_path / name
    path.write_bytes(content)
    return list(read(path, **kwargs))  # type: ignore[arg-type]


# -- CSV --------------------------------------------------------------------------------------


def test_csv_records_and_rejects(tmp_path: Path) -> None:
    content = (
        BOM
        + b"id,title,body\r\n"  # a BOM and CRLF, as spreadsheets write them
        + "a,عنوان,نص\r\n".encode()  # line 2
        + "b,عنوان,نص,زائد\r\n".encode()  # line 3: one value too many
        + b"c,\xff\xfe,x\r\n"  # line 4: not UTF-8
        + '"d","سطر\r\nثان",نص\r\n'.encode()  # lines 5-6: a quoted field across lines
        + ",بلا معرف,نص\r\n".encode()  # line 7: an empty id
        + b"e,,\r\n"  # line 8: empty title and body
    )
    assert records(tmp_path, "d.csv", content) == [
        (2, Document(id="a", title="عنوان", body="نص")),
        (3, Reject(3, "more values than header columns", "b,عنوان,نص,زائد")),
        (4, Reject(4, "invalid UTF-8", "c,\\xff\\xfe,x")),
        (6, Document(id="d", title="سطر\r\nثان", body="نص")),
        (7, Reject(7, "id: String should have at least 1 character", ",بلا معرف,نص")),
        (8, Document(id="e")),
    ]


def test_a_csv_field_over_max_bytes_ends_the_read_with_a_reject(tmp_path: Path) -> None:
    content = "id,body\na,نص\nb,".encode() + b"x" * 200 + b"\n"
    assert records(tmp_path, "d.csv", content, max_bytes=100) == [
        (2, Document(id="a", body="نص")),
        (3, Reject(3, "unreadable CSV: field larger than field limit (100)", "")),
    ]


def test_csv_field_mapping_keeps_an_empty_id_column_visible(tmp_path: Path) -> None:
    content = "guid,headline\n,عنوان\n".encode()
    fields = FieldMap(id="guid", title="headline")
    assert records(tmp_path, "d.csv", content, fields=fields) == [
        (2, Reject(2, "id: String should have at least 1 character", ",عنوان")),
    ]


# -- JSON arrays -----------------------------------------------------------------------------


def test_json_array_records_are_numbered_by_position(tmp_path: Path) -> None:
    content = BOM + '[{"id": "a", "title": "عنوان"}, 5, {"title": "بلا معرف"}]'.encode()
    assert records(tmp_path, "d.json", content) == [
        (1, Document(id="a", title="عنوان")),
        (2, Reject(2, "expected a JSON object, got int", "5")),
        (3, Reject(3, "missing id (field 'id')", '{"title":"بلا معرف"}')),
    ]


def test_a_json_file_holding_one_object_is_one_record(tmp_path: Path) -> None:
    content = '{"id": "solo", "body": "نص"}'.encode()
    assert records(tmp_path, "d.json", content) == [(1, Document(id="solo", body="نص"))]


def test_one_object_read_as_a_json_array_is_one_record(tmp_path: Path) -> None:
    # A pretty-printed object is not JSON lines: --format json reads it whole.
    content = '{\n  "id": "solo",\n  "title": "الكتاب"\n}\n'.encode()
    assert records(tmp_path, "d.json", content, format="json") == [
        (1, Document(id="solo", title="الكتاب"))
    ]


def test_invalid_json_array_is_one_reject_with_its_beginning(tmp_path: Path) -> None:
    text = '[{"id": "a"}, ' + "x" * 300
    ((line, reject),) = records(tmp_path, "d.json", text.encode())
    assert (line, reject.line, reject.raw) == (1, 1, text[:200])
    assert reject.reason.startswith("invalid JSON: ")


# -- JSON lines ------------------------------------------------------------------------------


def test_a_bad_line_keeps_its_bytes_readable(tmp_path: Path) -> None:
    content = '{"id": "l1", "body": "café"}\r\n'.encode("latin-1")
    assert records(tmp_path, "d.jsonl", content) == [
        (
            1,
            Reject(
                1,
                "invalid UTF-8 at byte 25 (is the file in another encoding?)",
                '{"id": "l1", "body": "caf\\xe9"}',
            ),
        ),
    ]


def test_the_format_option_overrides_the_name(tmp_path: Path) -> None:
    content = b'{"id": "j"}\n'
    assert records(tmp_path, "d.csv", content, format="jsonl") == [(1, Document(id="j"))]


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO('{"id": "s", "body": "من الأنبوب"}\n'.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert list(read("-")) == [(1, Document(id="s", body="من الأنبوب"))]


# -- field mapping ---------------------------------------------------------------------------


def test_mapped_fields_replace_the_default_ones() -> None:
    record = {
        "guid": "g",
        "id": "not this",
        "headline": "العنوان",
        "title": "not this",
        "content": "المتن",
        "body": "not this",
        "source": "kept",
    }
    fields = FieldMap(id="guid", title="headline", text="content")
    doc = to_document(record, fields)
    assert isinstance(doc, Document)
    assert (doc.id, doc.title, doc.body) == ("g", "العنوان", "المتن")
    assert doc.model_extra == {"source": "kept"}


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "x"}, "missing id (field 'guid')"),
        ([1], "expected a JSON object, got list"),
        ({"guid": "a", "tags": [1]}, "tags.0: Input should be a valid string"),
        (
            {"guid": "a", "published_at": "ليس تاريخا"},
            "published_at.datetime: Input should be a valid datetime or date, "
            "invalid character in year",
        ),
    ],
)
def test_why_a_record_is_not_a_document(record: object, reason: str) -> None:
    assert to_document(record, FieldMap(id="guid")) == reason


# -- Elasticsearch bulk and export lines -----------------------------------------------------


def test_elasticsearch_bulk_lines_exactly(tmp_path: Path) -> None:
    lines = [
        {"index": {"_index": "old", "_id": "b1"}},
        {"title": "من الأرشيف", "body": "نص"},
        {"_index": "old", "_id": "e1", "_source": {"title": "تصدير"}},
        {"update": {"_id": "u1"}},
        {"doc": {"title": "تحديث"}},
        {"update": {"_id": "u2"}},
        {"title": "تحديث بلا doc"},
        {"create": {"_id": "c1"}},
        {"id": "own", "title": "معرف خاص"},
        {"delete": {"_id": "x"}},
        {"index": "ليس كائنا"},
        {"index": {"_id": "last"}},
    ]
    content = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    assert records(tmp_path, "d.bulk", content.encode()) == [
        (2, Document(id="b1", title="من الأرشيف", body="نص")),
        (3, Document(id="e1", title="تصدير")),
        (5, Document(id="u1", title="تحديث")),
        (7, Document(id="u2", title="تحديث بلا doc")),
        (9, Document(id="own", title="معرف خاص")),  # the document's own id wins
        (10, Reject(10, "bulk 'delete' action carries no document", '{"delete": {"_id": "x"}}')),
        (11, Reject(11, "bulk 'index' action carries no document", '{"index": "ليس كائنا"}')),
        (12, Reject(12, "bulk action without its document line", '{"index":{"_id":"last"}}')),
    ]


# -- --max-bytes at the edges ----------------------------------------------------------------


def _record(size: int, newline: bool = True) -> bytes:
    head, tail = b'{"id": "x", "body": "', b'"}' + (b"\n" if newline else b"")
    return head + b"a" * (size - len(head) - len(tail)) + tail


@pytest.mark.parametrize("size", [300, 999, 1000])
def test_a_last_line_without_a_newline_is_read_whole(tmp_path: Path, size: int) -> None:
    content = _record(50).replace(b'"x"', b'"y"') + _record(size, newline=False)
    found = records(tmp_path, "d.jsonl", content, max_bytes=1000)
    assert [(line, type(r).__name__) for line, r in found] == [(1, "Document"), (2, "Document")]
    assert len(found[1][1].body) == size - 23


def test_an_oversized_line_is_rejected_with_its_first_200_bytes(tmp_path: Path) -> None:
    big = _record(5000)
    content = big + _record(50).replace(b'"x"', b'"y"')
    found = records(tmp_path, "d.jsonl", content, max_bytes=1000)
    reason = "record is 5,000 bytes, over the limit of 1,000 (--max-bytes)"
    assert found == [
        (1, Reject(1, reason, big[:200].decode() + "…")),
        (2, Document(id="y", body="a" * 26)),
    ]


def _arabic_record(size: int) -> bytes:
    """A JSON line of `size` bytes (newline included): 22 bytes of JSON, then two-byte Arabic
    letters, so its byte 201 is half a letter."""
    head = '{"id": "xy", "body": "'
    line = (head + "العلم نور والجهل ظلام " * 20).encode()[: size - 3] + b'"}\n'
    assert len(line) == size
    return line


@pytest.mark.parametrize("bom", [b"", BOM], ids=["plain", "after-a-bom"])
def test_a_line_one_byte_over_the_limit_shows_its_first_200_bytes(
    tmp_path: Path, bom: bytes
) -> None:
    # The newline is the byte over (the BOM counts as the first line's): the line is read
    # whole, and still shown cut to its first 200 bytes.
    line = _arabic_record(301 - len(bom))
    found = records(tmp_path, "d.jsonl", bom + line, max_bytes=300)
    reason = "record is 301 bytes, over the limit of 300 (--max-bytes)"
    assert found == [(1, Reject(1, reason, line[:200].decode() + "…"))]


def test_an_oversized_last_line_without_a_newline(tmp_path: Path) -> None:
    found = records(tmp_path, "d.jsonl", _record(5000, newline=False), max_bytes=1000)
    assert [(line, r.reason) for line, r in found] == [
        (1, "record is 5,000 bytes, over the limit of 1,000 (--max-bytes)")
    ]


# -- smaller edges ---------------------------------------------------------------------------


def test_csv_edges(tmp_path: Path) -> None:
    content = (
        b"id,body,published_at\n"
        + b"a,\x80,\n"  # the lowest byte that is not UTF-8 on its own
        + b"b,\xff,\n"  # and the highest
        + b"c,,\n"  # an empty date is no date, not an invalid one
    )
    assert records(tmp_path, "d.csv", content) == [
        (2, Reject(2, "invalid UTF-8", "a,\\x80,")),
        (3, Reject(3, "invalid UTF-8", "b,\\xff,")),
        (4, Document(id="c")),
    ]


def test_json_lines_edges(tmp_path: Path) -> None:
    lines = [
        b'{"title": "no id"}  ',  # trailing spaces stay in the raw text
        b'{"update": {"_id": "u"}}',
        b'"not an object"',
        b'{"index": {"_id": "i"}}',
        b'{"doc": "a field named doc", "title": "x"}',
    ]
    found = records(tmp_path, "d.jsonl", b"\n".join(lines) + b"\n")
    assert found == [
        (1, Reject(1, "missing id (field 'id')", '{"title": "no id"}  ')),
        (3, Reject(3, "expected a JSON object, got str", '"not an object"')),
        (5, Document(id="i", title="x", doc="a field named doc")),
    ]


def test_a_line_that_is_not_json_keeps_its_text_but_not_its_line_end(tmp_path: Path) -> None:
    ((line, reject),) = records(tmp_path, "d.jsonl", "المجلد X\r\n".encode())
    assert (line, reject.line, reject.raw) == (1, 1, "المجلد X")  # the letter X stays
    assert reject.reason.startswith("invalid JSON: ")


@pytest.mark.parametrize(
    ("name", "content", "ids"),
    [
        ("d.json", b'{"id": "l1"}\n{"id": "l2"}\n', ["l1", "l2"]),  # .json holding lines
        ("d.txt", b'\n  [{"id": "a1"}]', ["a1"]),  # an array after blank space
        ("d.csv.gz", gzip.compress(b"id,body\ncz,x\n"), ["cz"]),  # .gz looked through
    ],
)
def test_format_guessing(tmp_path: Path, name: str, content: bytes, ids: list[str]) -> None:
    assert [r.id for _, r in records(tmp_path, name, content)] == ids


def test_an_unknown_format_is_an_error() -> None:
    with pytest.raises(
        ValueError, match="unknown format 'xml'; choose one of jsonl, json, csv, es"
    ):
        list(read(io.BytesIO(b""), format="xml"))  # type: ignore[arg-type]


def test_a_gzip_stream_broken_before_the_first_record(tmp_path: Path) -> None:
    packed = gzip.compress(b'{"id": "a"}\n' * 50)
    ((line, reject),) = records(tmp_path, "d.jsonl.gz", packed[:20])
    assert (line, reject.line, reject.raw) == (1, 1, "")
    assert reject.reason.startswith(
        f"{tmp_path / 'd.jsonl.gz'} is truncated or corrupt after record 0: "
    )


def test_a_missing_mapped_field_is_an_empty_one() -> None:
    doc = to_document({"id": "a"}, FieldMap(title="headline", text="content"))
    assert doc == Document(id="a")


def test_sources_name_themselves_count_bytes_and_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"id": "a"}\n' * 1000)
    source = Source(path)
    assert (source.name, source.size) == (str(path), 12000)
    assert len(source.stream.read()) == 12000
    assert source.bytes_read == 12000
    source.close()
    assert source._raw.closed
    assert Source(io.BytesIO(b"")).name == "<stream>"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    stdin = Source("-")
    assert stdin.name == "<stdin>"
    stdin.close()
    assert not sys.stdin.buffer.closed
