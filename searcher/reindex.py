"""Zero-downtime reindexing from a dump.

    NAME-<timestamp>  ← streamed bulk (bounded memory, 429s retried by the bulk helper)
    → refresh → count check → one atomic alias swap NAME → NAME-<timestamp> → old indices pruned

Readers search the alias, so they see the old index until the swap and the new one after it,
never a half-built one.  After every acknowledged chunk a checkpoint records the physical index
and the last dump line it holds; a rerun with the same dump resumes there instead of starting
over (re-sending one chunk at most, which is harmless: documents are indexed by id).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from searcher.dump import Reject
from searcher.engines.base import Engine
from searcher.errors import InvalidName, SearcherError
from searcher.indexer import DEFAULT_CHUNK_SIZE, IndexReport, RejectsFile, index_records
from searcher.models import Document
from searcher.names import check_name

_GENERATION = re.compile(r"\d{20}")


def checkpoint_path(data_dir: Path, engine: str, alias: str) -> Path:
    """``DATA_DIR/checkpoints/ENGINE-ALIAS.json``, and never anywhere outside DATA_DIR."""
    root = (data_dir / "checkpoints").resolve()
    path = (root / f"{engine}-{check_name(alias)}.json").resolve()
    if path.parent != root:
        raise InvalidName(f"a checkpoint for {alias!r} would land outside {root}")
    return path


@dataclass
class Checkpoint:
    """Where an interrupted reindex stands; one JSON file per alias."""

    path: Path
    source: str
    index: str = ""
    line: int = 0
    indexed: int = 0
    replaced: int = 0
    # Documents sent in a request whose answer never came (the run died waiting): the engine may
    # or may not hold them.  `in_flight` is the request being sent now; on a resume it moves to
    # `unconfirmed`, the slack the count check allows.
    in_flight: int = 0
    unconfirmed: int = 0

    @classmethod
    def load(cls, path: Path, source: str) -> Checkpoint:
        if path.is_file():
            saved = json.loads(path.read_text())
            if saved.get("source") == source:
                return cls(path=path, **saved)
        return cls(path=path, source=source)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        data = {k: v for k, v in self.__dict__.items() if k != "path"}
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.path)  # a crash mid-write leaves the previous checkpoint intact

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass
class ReindexReport:
    alias: str
    index: str
    previous: list[str]
    pruned: list[str]
    resumed_from_line: int
    count: int
    run: IndexReport

    def as_dict(self) -> dict[str, object]:
        return {
            "alias": self.alias,
            "index": self.index,
            "previous": self.previous,
            "pruned": self.pruned,
            "resumed_from_line": self.resumed_from_line,
            "count": self.count,
            **{k: v for k, v in self.run.as_dict().items() if k != "index"},
        }


def physical_name(engine: Engine, alias: str) -> str:
    """``NAME-<UTC timestamp to the microsecond>``: sortable, lower case, not taken yet."""
    while True:
        name = f"{alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        if not engine.exists(name):
            return name


def reindex(
    engine: Engine,
    alias: str,
    records: Iterable[tuple[int, Document | Reject]],
    rejects: RejectsFile,
    checkpoint: Checkpoint,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    keep: int = 0,
    on_chunk: Callable[[IndexReport, int], None] | None = None,
) -> ReindexReport:
    """Build a fresh index from `records`, then swap `alias` onto it atomically."""
    resumed = bool(checkpoint.index) and engine.exists(checkpoint.index)
    if resumed:
        checkpoint.unconfirmed += checkpoint.in_flight
    else:
        checkpoint = Checkpoint(
            path=checkpoint.path, source=checkpoint.source, index=physical_name(engine, alias)
        )
    checkpoint.in_flight = 0
    checkpoint.save()
    resumed_from = checkpoint.line
    carried_indexed, carried_replaced = checkpoint.indexed, checkpoint.replaced

    def before_chunk(n_docs: int) -> None:
        checkpoint.in_flight = n_docs
        checkpoint.save()

    def after_chunk(so_far: IndexReport, last_line: int) -> None:
        # Counts carried over from interrupted runs plus this one, saved with the line so a
        # crash between chunks loses nothing the count check needs.
        checkpoint.line = last_line
        checkpoint.indexed = carried_indexed + so_far.indexed
        checkpoint.replaced = carried_replaced + so_far.replaced
        checkpoint.in_flight = 0
        checkpoint.save()
        if on_chunk:
            on_chunk(so_far, last_line)

    remaining = ((line, rec) for line, rec in records if line > resumed_from)
    run = index_records(
        engine,
        checkpoint.index,
        remaining,
        rejects,
        chunk_size=chunk_size,
        on_chunk=after_chunk,
        before_chunk=before_chunk,
    )
    indexed = carried_indexed + run.indexed
    replaced = carried_replaced + run.replaced
    # Distinct ids the engine acknowledged creating.  A request that died unanswered may have
    # created up to `unconfirmed` more: resent after the resume they came back as "updated".
    expected = indexed - replaced
    count = engine.count(checkpoint.index)
    if not expected <= count <= expected + checkpoint.unconfirmed:
        slack = f" (+ up to {checkpoint.unconfirmed} unconfirmed)" if checkpoint.unconfirmed else ""
        raise SearcherError(
            f"count check failed for {checkpoint.index!r}: {count} documents searchable, "
            f"{expected}{slack} expected; the alias {alias!r} was NOT moved (rerun to resume)"
        )
    previous = engine.point_alias(alias, checkpoint.index)
    stale = [
        name
        for name in engine.indices(f"{alias}-")
        if _GENERATION.fullmatch(name[len(alias) + 1 :]) and name != checkpoint.index
    ]
    pruned = stale[: max(0, len(stale) - keep)]
    for name in pruned:
        engine.delete_index(name)
    checkpoint.clear()
    run.indexed, run.replaced = indexed, replaced
    return ReindexReport(alias, checkpoint.index, previous, pruned, resumed_from, count, run)
