"""Messy dumps: every bad record is named (file and line), kept aside with its reason, and the
good records around it still land.  Exit status 3 says "finished, with rejects"."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from searcher.cli import EXIT_REJECTS, main

GOOD = [
    {"id": "g1", "title": "المدرسة", "body": "ذهب أحمد إلى المدرسةِ"},
    {"id": "g2", "title": "الكتاب", "body": "ذَٰلِكَ ٱلۡكِتَٰبُ"},
]


def line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def good_lines() -> bytes:
    return b"".join(line(r) for r in GOOD)


def index(tmp_path: Path, name: str, content: bytes, *args: str) -> tuple[Result, list[dict]]:
    dump = tmp_path / name
    dump.write_bytes(content)
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "index",
            str(dump),
            "--data-dir",
            str(tmp_path / "data"),
            "--rejects",
            str(rejects),
            "--json",
            *args,
        ],
    )
    kept = [json.loads(x) for x in rejects.read_text().splitlines()] if rejects.exists() else []
    return result, kept


def found(tmp_path: Path, query: str) -> list[str]:
    args = ["search", query, "--json", "--data-dir", str(tmp_path / "data")]
    result = CliRunner().invoke(main, args)
    return [hit["id"] for hit in json.loads(result.stdout)["hits"]]


def assert_rejected(result: Result, kept: list[dict], dump: str, line_no: int, reason: str) -> None:
    assert result.exit_code == EXIT_REJECTS
    assert f"{dump}:{line_no}: " in result.stderr and reason in result.stderr
    assert any(r["line"] == line_no and reason in r["reason"] for r in kept)


def test_invalid_utf8_and_a_line_in_another_encoding(tmp_path: Path) -> None:
    latin1 = '{"id": "l1", "body": "café"}\n'.encode("latin-1")
    cp1256 = '{"id": "w1", "body": "مدرسة"}\n'.encode("cp1256")
    result, kept = index(tmp_path, "enc.jsonl", good_lines() + latin1 + cp1256)
    assert_rejected(result, kept, "enc.jsonl", 3, "invalid UTF-8")
    assert_rejected(result, kept, "enc.jsonl", 4, "invalid UTF-8")
    assert json.loads(result.stdout)["indexed"] == 2


def test_a_bom_is_not_an_error(tmp_path: Path) -> None:
    result, kept = index(tmp_path, "bom.jsonl", b"\xef\xbb\xbf" + good_lines())
    assert result.exit_code == 0 and kept == []
    assert found(tmp_path, "المدرسة") == ["g1"]


def test_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    many = b"".join(line({"id": f"d{i}", "body": f"نص رقم {i} " * 20}) for i in range(2000))
    packed = gzip.compress(many)
    result, kept = index(tmp_path, "cut.jsonl.gz", packed[: len(packed) * 2 // 3])
    assert result.exit_code == EXIT_REJECTS
    summary = json.loads(result.stdout)
    assert 0 < summary["indexed"] < 2000
    assert "truncated or corrupt" in kept[-1]["reason"]
    assert f"cut.jsonl.gz:{summary['indexed'] + 1}: " in result.stderr


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"[1, 2, 3]\n", "expected a JSON object"),
        (b'"just a string"\n', "expected a JSON object"),
        (b'{"title": "no id"}\n', "missing id"),
        (b'{"id": "", "body": "x"}\n', "id: String should have at least 1 character"),
        (b'{"id": "  ", "body": "x"}\n', "id: String should have at least 1 character"),
        (b'{"id": "s", "body": "\\ud800"}\n', "invalid JSON"),  # a lone surrogate
        (b'{"id": "n", "body": ' + b"[" * 5000 + b"]" * 5000 + b"}\n", "invalid JSON"),
    ],
    ids=["array", "string", "no-id", "empty-id", "blank-id", "lone-surrogate", "deep-nesting"],
)
def test_records_that_cannot_be_documents(tmp_path: Path, bad: bytes, reason: str) -> None:
    result, kept = index(tmp_path, "bad.jsonl", line(GOOD[0]) + bad + line(GOOD[1]))
    assert_rejected(result, kept, "bad.jsonl", 2, reason)
    assert json.loads(result.stdout)["indexed"] == 2


def test_duplicate_ids_last_wins_and_is_reported(tmp_path: Path) -> None:
    first, second = {"id": "dup", "body": "النسخة الأولى"}, {"id": "dup", "body": "النسخة الثانية"}
    twice = line(first) + line(second)
    result, _ = index(tmp_path, "dup.jsonl", twice)
    summary = json.loads(result.stdout)
    assert (summary["indexed"], summary["replaced"]) == (2, 1)
    assert found(tmp_path, "الثانية") == ["dup"] and found(tmp_path, "الأولى") == []


def test_a_50_mb_document_is_rejected_and_the_rest_indexed(tmp_path: Path) -> None:
    # What the reader holds in memory meanwhile is measured in tests/test_input_bounds.py.
    huge = b'{"id": "huge", "body": "' + "كلمة ".encode() * (50 * 1024 * 1024 // 10) + b'"}\n'
    result, kept = index(tmp_path, "huge.jsonl", line(GOOD[0]) + huge + line(GOOD[1]))
    assert_rejected(result, kept, "huge.jsonl", 2, "over the limit of 10,485,760 (--max-bytes)")
    assert json.loads(result.stdout)["indexed"] == 2
    assert len(kept[0]["raw"]) < 300  # the first 200 bytes and an ellipsis, not the record


def test_control_characters_are_stripped_not_fatal(tmp_path: Path) -> None:
    record = {"id": "c", "title": "عنوان\u0000", "body": "نص\u0007 فيه\u001b محارف تحكم"}
    result, kept = index(tmp_path, "ctl.jsonl", line(record))
    assert result.exit_code == 0 and kept == []
    assert found(tmp_path, "محارف") == ["c"]


def test_bidi_marks_and_joiners_inside_arabic_words_do_not_break_matching(tmp_path: Path) -> None:
    records = [
        {"id": "zwj", "body": "زرت المد\u200dرسة أمس"},
        {"id": "rle", "body": "قرأت \u202bالكتاب\u202c كله"},
        {"id": "zwnj", "body": "ال\u200cكتاب مفيد"},
    ]
    result, _ = index(tmp_path, "bidi.jsonl", b"".join(line(r) for r in records))
    assert result.exit_code == 0
    assert found(tmp_path, "المدرسة") == ["zwj"]
    assert set(found(tmp_path, "الكتاب")) == {"rle", "zwnj"}


def test_an_empty_file(tmp_path: Path) -> None:
    result, kept = index(tmp_path, "empty.jsonl", b"")
    assert result.exit_code == 0 and kept == []
    assert json.loads(result.stdout)["indexed"] == 0
