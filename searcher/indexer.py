"""The indexing pipeline: records in, chunks to the engine, rejects kept aside, a report out.

Memory stays bounded: records are read lazily and sent `chunk_size` at a time, or sooner once a
chunk holds BULK_REQUEST_BYTES (a few 20 MB bodies never sit in memory together).  Nothing is
lost quietly: a record the dump reader could not parse, and a document the engine refused, both
go to the rejects file (JSON lines: line, id, reason, raw) and are counted in the report.

Counts are exact: before each chunk the engine says which of its ids exist already, and that
answer, not the bulk response's "created"/"updated", decides what was replaced.  A request the
client resent after a timeout comes back "updated" for documents it created itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from searcher.dump import Reject
from searcher.engines.base import BulkItem, Engine
from searcher.limits import BULK_CHUNK_DOCUMENTS, BULK_REQUEST_BYTES
from searcher.models import Document

DEFAULT_CHUNK_SIZE = BULK_CHUNK_DOCUMENTS  # --chunk-size's default


class RejectsFile:
    """A JSON-lines file of rejected records, created only when the first reject arrives."""

    SHOWN = 10  # how many rejects a run keeps in memory to print

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.first: list[tuple[int, str]] = []  # (line, reason) of the first SHOWN rejects
        self._fp: IO[bytes] | None = None

    def add(self, line: int, reason: str, raw: str, doc_id: str | None = None) -> None:
        if self._fp is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fp = self.path.open("ab")
        record = {"line": line, "id": doc_id, "reason": reason, "raw": raw}
        self._fp.write(orjson.dumps(record) + b"\n")
        self._fp.flush()
        self.count += 1
        if len(self.first) < self.SHOWN:
            self.first.append((line, reason))

    def close(self) -> None:
        if self._fp is not None:
            self._fp.close()


@dataclass
class IndexReport:
    """What an indexing run did.  `as_dict` is the `--json` output."""

    index: str
    indexed: int = 0
    replaced: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejects_file: str | None = None

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "indexed": self.indexed,
            "replaced": self.replaced,
            "rejected": self.rejected,
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
            "rejects_file": self.rejects_file,
        }


@dataclass
class Resend:
    """A request an earlier run sent and never saw answered (it died waiting), so the engine may
    hold any of its documents now.  Which ids existed before it, saved with it, stands in for
    the engine's answer for its lines (up to `last_line`) when they are sent again."""

    last_line: int
    existing: set[str]

    def covers(self, lines: Sequence[int]) -> bool:
        return lines[0] <= self.last_line

    def existing_before(
        self, engine: Engine, index: str, lines: Sequence[int], chunk: Sequence[Document]
    ) -> set[str]:
        again = {doc.id for line, doc in zip(lines, chunk, strict=True) if line <= self.last_line}
        rest = [doc.id for doc in chunk if doc.id not in again]
        return (self.existing & again) | engine.existing_ids(index, rest)

    def landed(self, lines: Sequence[int], items: Sequence[BulkItem]) -> None:
        """The resent lines that landed exist for the chunks after this one."""
        self.existing |= {
            item.id
            for line, item in zip(lines, items, strict=True)
            if item.ok and line <= self.last_line
        }


def approx_bytes(doc: Document) -> int:
    """A document's size in a bulk request, roughly (Arabic letters are two bytes of UTF-8)."""
    extra = sum(len(str(value)) for value in (doc.model_extra or {}).values())
    return 2 * (len(doc.title) + len(doc.body) + extra)


def index_records(
    engine: Engine,
    index: str,
    records: Iterable[tuple[int, Document | Reject]],
    rejects: RejectsFile,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: Callable[[IndexReport, int], None] | None = None,
    before_chunk: Callable[[int, set[str]], None] | None = None,
    resend: Resend | None = None,
) -> IndexReport:
    """Send `records` to `engine` in chunks; returns counts.

    ``on_chunk(report_so_far, last_line)`` runs after each chunk is acknowledged: progress bars
    and checkpoints hang off it.  ``before_chunk(last_line, existing)`` runs just before a chunk
    is sent, with the ids that existed before it (a checkpoint saves them: see `Resend`).
    """
    # Writing through an alias writes to the index it points at: name that one in the report,
    # and never create an index under the alias's own name.
    targets = engine.alias_targets(index)
    index = targets[0] if len(targets) == 1 else index
    report = IndexReport(index=index)
    started = time.perf_counter()
    engine.create_index(index)
    chunk: list[Document] = []
    lines: list[int] = []
    chunk_bytes = 0

    def flush() -> None:
        nonlocal chunk_bytes
        if resend and resend.covers(lines):
            existing = resend.existing_before(engine, index, lines, chunk)
        else:
            existing = engine.existing_ids(index, [doc.id for doc in chunk])
        if before_chunk:
            before_chunk(lines[-1], existing)
        items = engine.bulk(index, chunk, existing=existing)
        if resend:
            resend.landed(lines, items)
        for line, doc, item in zip(lines, chunk, items, strict=True):
            if item.ok:
                report.indexed += 1
                report.replaced += item.replaced
            else:
                rejects.add(
                    line, item.error or "rejected by the engine", doc.model_dump_json(), doc.id
                )
        report.rejected = rejects.count
        if on_chunk:
            on_chunk(report, lines[-1])
        chunk.clear()
        lines.clear()
        chunk_bytes = 0

    for line, record in records:
        if isinstance(record, Reject):
            rejects.add(record.line, record.reason, record.raw)
            continue
        chunk.append(record)
        lines.append(line)
        chunk_bytes += approx_bytes(record)
        if len(chunk) >= chunk_size or chunk_bytes >= BULK_REQUEST_BYTES:
            flush()
    if chunk:
        flush()
    engine.refresh(index)
    report.seconds = time.perf_counter() - started
    report.rejected = rejects.count
    report.rejects_file = str(rejects.path) if rejects.count else None
    return report
