"""Zero-downtime reindexing from a dump.

    lease on NAME (one run per alias)
    → NAME-<timestamp>, created with refresh off and no replicas (a bulk load, as advised)
      ← streamed bulk (bounded memory)
    → layout restored, refresh, replicas allocated (green) → exact count check → analysis check
    → one atomic alias swap NAME → NAME-<timestamp> → old indices pruned

Readers search the alias, so they see the old index until the swap and the new one after it,
never a half-built one.  After every acknowledged chunk a checkpoint records the physical index
and the last dump line it holds; a rerun with the same dump resumes there instead of starting
over (re-sending one chunk at most, which is harmless: documents are indexed by id).

Why each step: the lease, because two runs on one alias pruned each other's generations; the
exact count, because a resent request made the old arithmetic fail forever; the analysis check,
because an index made any other way must never get the alias (issue #15).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from searcher.dump import Reject
from searcher.engines.base import Engine
from searcher.errors import InvalidName, SearcherError
from searcher.indexer import IndexReport, RejectsFile, Resend, index_records
from searcher.lease import Lease
from searcher.limits import REINDEX_LEASE_SECONDS
from searcher.models import Document
from searcher.names import GENERATION_DIGITS, check_name

_GENERATION = re.compile(rf"\d{{{GENERATION_DIGITS}}}")
CHECKPOINT_VERSION = 2  # 2: in-flight requests saved with the ids that existed before them


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
    version: int = CHECKPOINT_VERSION
    index: str = ""
    line: int = 0
    indexed: int = 0
    replaced: int = 0
    # The request being sent now (its last dump line; 0 when none) and which of its ids
    # existed before it.  If the run dies waiting for the answer, the engine may hold any of
    # that request's documents: the rerun resends it and counts from this, not from what the
    # engine holds by then (see indexer.Resend).
    in_flight_line: int = 0
    in_flight_existing: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, source: str) -> Checkpoint:
        if path.is_file():
            saved = json.loads(path.read_text())
            # Another dump, or an older format (its counts cannot be trusted): start afresh.
            if saved.get("source") == source and saved.get("version") == CHECKPOINT_VERSION:
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
    chunk_size: int | None = None,
    keep: int = 0,
    on_chunk: Callable[[IndexReport, int], None] | None = None,
    lease_seconds: float = REINDEX_LEASE_SECONDS,
    take_over: bool = False,
) -> ReindexReport:
    """Build a fresh index from `records`, then swap `alias` onto it atomically.

    Raises `LeaseHeld` (before touching anything) while another run holds the alias, unless
    `take_over` says that run is dead.
    """
    check_name(alias)
    lease = engine.lease(alias, seconds=lease_seconds, take_over=take_over)
    try:
        return _build_and_swap(
            engine,
            alias,
            records,
            rejects,
            checkpoint,
            lease=lease,
            chunk_size=chunk_size,
            keep=keep,
            on_chunk=on_chunk,
        )
    finally:
        lease.release()


def _build_and_swap(
    engine: Engine,
    alias: str,
    records: Iterable[tuple[int, Document | Reject]],
    rejects: RejectsFile,
    checkpoint: Checkpoint,
    *,
    lease: Lease,
    chunk_size: int | None,
    keep: int,
    on_chunk: Callable[[IndexReport, int], None] | None,
) -> ReindexReport:
    resumed = bool(checkpoint.index) and engine.exists(checkpoint.index)
    resend = None
    if resumed and checkpoint.in_flight_line:
        resend = Resend(checkpoint.in_flight_line, set(checkpoint.in_flight_existing))
    if not resumed:
        checkpoint = Checkpoint(
            path=checkpoint.path, source=checkpoint.source, index=physical_name(engine, alias)
        )
        engine.create_index(checkpoint.index, bulk_load=True)
    checkpoint.save()
    lease.renew(index=checkpoint.index)  # so a refused run's message can name it
    resumed_from = checkpoint.line
    carried_indexed, carried_replaced = checkpoint.indexed, checkpoint.replaced

    def before_chunk(last_line: int, existing: set[str]) -> None:
        checkpoint.in_flight_line = last_line
        checkpoint.in_flight_existing = sorted(existing)
        checkpoint.save()

    def after_chunk(so_far: IndexReport, last_line: int) -> None:
        # Counts carried over from interrupted runs plus this one, saved with the line so a
        # crash between chunks loses nothing the count check needs.
        checkpoint.line = last_line
        checkpoint.indexed = carried_indexed + so_far.indexed
        checkpoint.replaced = carried_replaced + so_far.replaced
        checkpoint.in_flight_line, checkpoint.in_flight_existing = 0, []
        checkpoint.save()
        lease.check()  # taken over meanwhile: stop before writing more
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
        resend=resend,
    )
    # Replicas and refresh as configured, and every copy allocated, before readers see it.
    engine.finish_bulk_load(checkpoint.index)
    indexed = carried_indexed + run.indexed
    replaced = carried_replaced + run.replaced
    expected = indexed - replaced  # distinct ids: exact, resent requests included
    count = engine.count(checkpoint.index)
    if count != expected:
        raise SearcherError(
            f"count check failed for {checkpoint.index!r}: {count} documents searchable, "
            f"{expected} expected; the alias {alias!r} was NOT moved (rerun to resume)"
        )
    try:
        engine.verify_index(checkpoint.index)
    except SearcherError as error:
        raise SearcherError(f"{error}; the alias {alias!r} was NOT moved") from None
    lease.renew()  # still ours right before the swap, or LeaseLost: a take-over stops us here
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
