"""Read documents from dumps: JSON lines (optionally gzipped), a JSON array, CSV, and
Elasticsearch bulk / export lines.

`read(source)` yields ``(line_no, Document | Reject)`` and never raises on a bad record: a bad
record becomes a `Reject` that names its line and the reason, so a run neither stops nor
silently shrinks.  `source` may be a path, ``-`` (stdin) or a binary file object; the bytes read
so far are counted on the *raw* stream (`Source.bytes_read`), so a progress bar works the same
for gzip, plain files and pipes.
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

import orjson
from pydantic import ValidationError

from searcher.models import Document

Format = Literal["jsonl", "json", "csv", "es"]
FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "es")
_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".bulk": "es"}
_BULK_ACTIONS = ("index", "create", "update", "delete")
_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Reject:
    """A record that could not become a `Document`, with why and what it was."""

    line: int
    reason: str
    raw: str


@dataclass(frozen=True)
class FieldMap:
    """Which source fields hold the id, the title and the body."""

    id: str = "id"
    title: str = "title"
    text: str = "body"


class _Counting(io.RawIOBase):
    """Wraps the raw stream and counts the bytes that pass, for the progress bar."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


class Source:
    """An opened dump: a buffered binary stream plus its size and how much has been read."""

    def __init__(self, source: str | Path | BinaryIO) -> None:
        if isinstance(source, str | Path) and str(source) == "-":
            raw, self.name, self.size = sys.stdin.buffer, "<stdin>", None
        elif isinstance(source, str | Path):
            path = Path(source)
            raw, self.name, self.size = path.open("rb"), str(path), path.stat().st_size
        else:
            raw, self.name, self.size = source, getattr(source, "name", "<stream>"), None
        self._counting = _Counting(raw)
        stream: io.BufferedReader = io.BufferedReader(self._counting, buffer_size=1 << 16)
        self.gzipped = stream.peek(2)[:2] == _GZIP_MAGIC
        self.stream: BinaryIO = gzip.GzipFile(fileobj=stream) if self.gzipped else stream  # type: ignore[assignment]
        self._raw = raw

    @property
    def bytes_read(self) -> int:
        return self._counting.count

    def close(self) -> None:
        if self._raw is not sys.stdin.buffer:
            self._raw.close()


def guess_format(name: str, first_bytes: bytes) -> Format:
    """By extension (``.gz`` looked through), else by the first non-blank byte."""
    suffixes = [s for s in Path(name).suffixes if s != ".gz"]
    if suffixes and suffixes[-1] in _BY_SUFFIX:
        guessed = _BY_SUFFIX[suffixes[-1]]
        if guessed != "json":
            return guessed  # type: ignore[return-value]
    head = first_bytes.lstrip(_BOM).lstrip()
    return "json" if head.startswith(b"[") else "jsonl"


def to_document(obj: Any, fields: FieldMap, default_id: Any = None) -> Document | str:
    """A `Document` from one decoded record, or the reason it cannot be one."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    data = dict(obj)
    if fields.id != "id":
        data.pop("id", None)
    data["id"] = data.pop(fields.id, default_id)
    if data["id"] is None:
        return f"missing id (field {fields.id!r})"
    for target, name in (("title", fields.title), ("body", fields.text)):
        if name != target:
            data.pop(target, None)
            data[target] = data.pop(name, None)
    try:
        return Document.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        return f"{where}: {first['msg']}"


def _raw_text(line: bytes) -> str:
    return line.decode("utf-8", errors="backslashreplace").rstrip("\r\n")


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes, int]]:
    """(line number, line, its size) with memory bounded by `max_bytes`: an over-long line is
    skipped in chunks and yielded as only its first bytes (the caller sees size > max_bytes)."""
    line_no = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        line_no += 1
        size = len(line)
        if size > max_bytes and not line.endswith(b"\n"):
            head = line[:200]
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
                size += len(line)
            yield line_no, head, size
        else:
            yield line_no, line, size


def _json_lines(
    stream: BinaryIO, fields: FieldMap, max_bytes: int
) -> Iterator[tuple[int, Document | Reject]]:
    """JSON lines, where a line may also be an ES export hit or a bulk action + source pair."""
    pending_action: tuple[int, dict[str, Any]] | None = None
    for line_no, line, size in _lines(stream, max_bytes):
        if line_no == 1:
            line = line.removeprefix(_BOM)
        if size > max_bytes:
            reason = f"record is {size:,} bytes, over the limit of {max_bytes:,} (--max-bytes)"
            yield line_no, Reject(line_no, reason, _raw_text(line[:200]) + "…")
            continue
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line.decode("utf-8"))  # decode first: its error names the byte
        except UnicodeDecodeError as error:
            reason = f"invalid UTF-8 at byte {error.start} (is the file in another encoding?)"
            yield line_no, Reject(line_no, reason, _raw_text(line))
            continue
        except orjson.JSONDecodeError as error:
            yield line_no, Reject(line_no, f"invalid JSON: {error}", _raw_text(line))
            continue
        if pending_action is not None:
            _, action = pending_action
            pending_action = None
            source = obj.get("doc", obj) if isinstance(obj, dict) and "update" in action else obj
            meta = next(iter(action.values()))
            result = to_document(source, fields, default_id=meta.get("_id"))
        elif isinstance(obj, dict) and len(obj) == 1 and next(iter(obj)) in _BULK_ACTIONS:
            ((verb, meta),) = obj.items()
            if verb == "delete" or not isinstance(meta, dict):
                yield (
                    line_no,
                    Reject(line_no, f"bulk {verb!r} action carries no document", _raw_text(line)),
                )
            else:
                pending_action = (line_no, obj)
            continue
        elif isinstance(obj, dict) and isinstance(obj.get("_source"), dict):
            result = to_document(obj["_source"], fields, default_id=obj.get("_id"))
        else:
            result = to_document(obj, fields)
        if isinstance(result, str):
            yield line_no, Reject(line_no, result, _raw_text(line))
        else:
            yield line_no, result
    if pending_action is not None:
        line_no, action = pending_action
        yield (
            line_no,
            Reject(line_no, "bulk action without its document line", orjson.dumps(action).decode()),
        )


def _json_array(
    stream: BinaryIO, fields: FieldMap, max_bytes: int
) -> Iterator[tuple[int, Document | Reject]]:
    """A JSON array, read whole (use JSON lines for big dumps).  Records are numbered by
    position (1-based): arrays have no useful lines."""
    data = stream.read()
    try:
        items = orjson.loads(data.removeprefix(_BOM))
    except orjson.JSONDecodeError as error:
        yield 1, Reject(1, f"invalid JSON: {error}", _raw_text(data[:200]))
        return
    if not isinstance(items, list):
        items = [items]
    for number, obj in enumerate(items, start=1):
        result = to_document(obj, fields)
        if isinstance(result, str):
            yield number, Reject(number, result, orjson.dumps(obj).decode())
        else:
            yield number, result


def _csv_rows(
    stream: BinaryIO, fields: FieldMap, max_bytes: int
) -> Iterator[tuple[int, Document | Reject]]:
    csv.field_size_limit(max_bytes)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.DictReader(text)
    for row in reader:
        line_no = reader.line_num
        # The row as it was, values past the header's columns included (DictReader keeps
        # those as a list under the key None).
        values = [v for v in row.values() if isinstance(v, str)] + row.get(None, [])  # type: ignore[call-overload]
        raw = (
            ",".join(values).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        )
        if any("\udc80" <= ch <= "\udcff" for v in values for ch in v):
            yield line_no, Reject(line_no, "invalid UTF-8", raw)
            continue
        if None in row:
            yield line_no, Reject(line_no, "more values than header columns", raw)
            continue
        result = to_document(
            {k: v for k, v in row.items() if v not in (None, "")}
            | {k: v for k, v in row.items() if k == fields.id},
            fields,
        )
        if isinstance(result, str):
            yield line_no, Reject(line_no, result, raw)
        else:
            yield line_no, result


_READERS = {"jsonl": _json_lines, "es": _json_lines, "json": _json_array, "csv": _csv_rows}


DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # one record; bigger ones are rejected, not loaded


def read_source(
    source: Source,
    format: Format | None = None,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[tuple[int, Document | Reject]]:
    """Records of an opened `Source`, read lazily.

    A truncated or corrupt gzip stream ends the read with one `Reject` after the last good line
    (everything before it is kept).
    """
    fields = fields or FieldMap()
    fmt = format or guess_format(source.name, source.stream.peek(64)[:64])  # type: ignore[attr-defined]
    if fmt not in _READERS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    last = 0
    try:
        for last, record in _READERS[fmt](source.stream, fields, max_bytes):
            yield last, record
    except (EOFError, OSError, zlib.error) as error:
        reason = f"{source.name} is truncated or corrupt after record {last}: {error}"
        yield last + 1, Reject(last + 1, reason, "")
    except csv.Error as error:
        yield last + 1, Reject(last + 1, f"unreadable CSV: {error}", "")


def read(
    source: str | Path | BinaryIO,
    format: Format | None = None,
    fields: FieldMap | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[tuple[int, Document | Reject]]:
    """Open `source` (a path, ``-`` for stdin, or a binary file) and yield its records."""
    opened = Source(source)
    try:
        yield from read_source(opened, format, fields, max_bytes)
    finally:
        opened.close()
