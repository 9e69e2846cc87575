"""What a dump can cost: control characters never reach the index, and a record over
`--max-bytes` is never read into memory whole (measured on the reader alone, with tracemalloc:
a whole process's peak RSS is the engine's, and cannot see the reader)."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import EXIT_REJECTS, main
from searcher.dump import Reject, read
from searcher.models import Document

# Every control character (Unicode category Cc) but tab, line feed and carriage return.
CONTROLS = [
    chr(cp)
    for cp in range(0x110000)
    if unicodedata.category(chr(cp)) == "Cc" and chr(cp) not in "\t\n\r"
]


def test_the_control_characters_are_the_c0_and_c1_sets() -> None:
    assert len(CONTROLS) == 32 + 33 - 3  # C0, DEL and C1, less \t \n \r


@pytest.mark.parametrize("control", CONTROLS, ids=lambda ch: f"U+{ord(ch):04X}")
def test_every_control_character_is_stripped_from_title_and_body(control: str) -> None:
    doc = Document(id="c", title=f"عنوان{control}", body=f"نص{control} فيه")
    assert (doc.title, doc.body) == ("عنوان", "نص فيه")


def test_tabs_and_newlines_are_text() -> None:
    doc = Document(id="t", title="سطر\tاول", body="سطر\nثان\r\nثالث")
    assert (doc.title, doc.body) == ("سطر\tاول", "سطر\nثان\r\nثالث")


def test_control_characters_never_reach_the_index_or_the_output(tmp_path: Path) -> None:
    dump = tmp_path / "ctl.jsonl"
    record = {
        "id": "c",
        "title": "عنوان\u0000\u0085",
        "body": "نص\u0007 فيه\u001b محارف تحكم\u009b",
    }
    dump.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    data = str(tmp_path / "data")
    assert CliRunner().invoke(main, ["index", str(dump), "--data-dir", data]).exit_code == 0
    found = CliRunner().invoke(main, ["search", "محارف", "--data-dir", data, "--json"])
    (hit,) = json.loads(found.stdout)["hits"]
    assert hit["title"] == "عنوان"
    assert hit["snippet"]["text"] == "نص فيه محارف تحكم"


# -- --max-bytes ------------------------------------------------------------------------------

LIMIT = 1024 * 1024  # 1 MB: the record below is fifty times that


def _huge_dump(path: Path, packed: bool) -> Path:
    good = '{"id": "g1", "body": "ذهب أحمد إلى المدرسة"}\n'.encode()
    huge = b'{"id": "huge", "body": "' + "كلمة ".encode() * (50 * LIMIT // 9) + b'"}\n'
    content = good + huge + good.replace(b"g1", b"g2")
    path.write_bytes(gzip.compress(content, compresslevel=1) if packed else content)
    return path


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gzip"])
def test_the_reader_never_holds_an_oversized_record(tmp_path: Path, packed: bool) -> None:
    dump = _huge_dump(tmp_path / ("d.jsonl.gz" if packed else "d.jsonl"), packed)
    tracemalloc.start()
    try:
        records = [record for _, record in read(dump, max_bytes=LIMIT)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [r.id for r in records if isinstance(r, Document)] == ["g1", "g2"]
    (reject,) = [r for r in records if isinstance(r, Reject)]
    assert reject.line == 2 and "over the limit of 1,048,576 (--max-bytes)" in reject.reason
    # Reading stops at the limit: about one limit's worth plus buffers, never the 50 MB record.
    assert peak < 4 * LIMIT, f"the reader held {peak / LIMIT:.1f} MB"


@pytest.mark.parametrize(
    ("size", "accepted"),
    [(999, True), (1000, True), (1001, False)],
    ids=["under", "exactly", "one-over"],
)
def test_the_limit_counts_the_whole_line(tmp_path: Path, size: int, accepted: bool) -> None:
    head = b'{"id": "x", "body": "'
    tail = b'"}\n'
    line = head + b"a" * (size - len(head) - len(tail)) + tail
    assert len(line) == size
    path = tmp_path / "d.jsonl"
    path.write_bytes(line + line.replace(b'"x"', b'"y"'))
    records = [record for _, record in read(path, max_bytes=1000)]
    assert [isinstance(r, Document) for r in records] == [accepted, accepted]


def test_max_bytes_is_a_cli_option(tmp_path: Path) -> None:
    dump = tmp_path / "d.jsonl"
    small = '{"id": "s", "body": "نص قصير"}\n'
    big = json.dumps({"id": "b", "body": "كلمة " * 400}, ensure_ascii=False) + "\n"
    dump.write_text(small + big, encoding="utf-8")
    args = ["index", str(dump), "--data-dir", str(tmp_path / "data"), "--json"]
    result = CliRunner().invoke(main, [*args, "--max-bytes", "1000"])
    assert result.exit_code == EXIT_REJECTS
    assert (
        f"{dump}:2: record is {len(big.encode()):,} bytes, over the limit of 1,000" in result.stderr
    )
    assert json.loads(result.stdout)["indexed"] == 1
    assert CliRunner().invoke(main, [*args, "--max-bytes", "100000"]).exit_code == 0
