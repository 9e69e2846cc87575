"""The reindex lease on an Elasticsearch/OpenSearch cluster: one document per alias.

The document lives in ``searcher-leases`` (hidden, one shard) with the alias as its id, so every
machine that reaches the cluster sees it.  Creating it with ``op_type=create`` is the lock: a
second create of the same id fails with 409.  The holder renews it (``expires_at`` moves on)
with compare-and-swap on ``_seq_no``/``_primary_term``; a take-over is a compare-and-swap too,
so of two runs taking over at once exactly one wins, and the run it was taken from learns so at
its next renewal.  Clocks: ``expires_at`` is the holder's wall clock; machines whose clocks
disagree by more than seconds should use ``--take-over`` rather than wait for expiry.
"""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from searcher.errors import EngineUnavailable, IndexNotFound, LeaseHeld, LeaseLost, SearcherError
from searcher.lease import Heartbeat, Holder

if TYPE_CHECKING:
    from searcher.engines.cluster import ClusterEngine

LEASES_INDEX = "searcher-leases"
_LEASES_BODY = {
    "settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-1", "hidden": True}},
    "mappings": {"dynamic": False, "properties": {}},
}


class ClusterLease:
    def __init__(
        self, engine: ClusterEngine, alias: str, holder: Holder, seconds: float, response: dict
    ) -> None:
        self.engine = engine
        self.alias = alias
        self.holder = holder
        self.seconds = seconds
        self.index: str | None = None
        self._version = (response["_seq_no"], response["_primary_term"])
        self._lock = threading.Lock()  # the heartbeat and the run both renew
        self._heartbeat = Heartbeat(self.renew, interval=seconds / 3)

    # -- taking it --------------------------------------------------------------------------------

    @classmethod
    def acquire(
        cls, engine: ClusterEngine, alias: str, *, seconds: float, take_over: bool, holder: Holder
    ) -> ClusterLease:
        _ensure_leases_index(engine)
        record = _record(alias, holder, seconds, index=None)
        for _ in range(2):  # twice: a lease released between our create and our read
            created = _write_or_conflict(engine, alias, record, op_type="create")
            if created is not None:
                return cls(engine, alias, holder, seconds, created)
            try:
                current = engine._call(
                    "reading the reindex lease", engine.client.get, index=LEASES_INDEX, id=alias
                )
                break
            except IndexNotFound:
                continue
        else:
            raise LeaseHeld(f"the reindex lease on {alias!r} keeps changing hands; try again")
        held = current["_source"]
        other = Holder(held["host"], int(held["pid"]), held["token"])
        expired = float(held["expires_at"]) < time.time()
        if not (expired or other.is_gone() or take_over):
            raise LeaseHeld(_held_message(alias, other, held))
        if take_over and other.is_local() and not other.is_gone():
            raise LeaseHeld(
                f"another reindex of {alias!r} is still running on this machine ({other}); "
                "stop that process first: --take-over is for runs that died"
            )
        cas = {"if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]}
        taken = _write_or_conflict(engine, alias, record, **cas)
        if taken is None:
            raise LeaseHeld(f"another run took the reindex lease on {alias!r} first")
        return cls(engine, alias, holder, seconds, taken)

    # -- holding it -------------------------------------------------------------------------------

    def renew(self, index: str | None = None) -> None:
        with self._lock:
            self.index = index or self.index
            record = _record(self.alias, self.holder, self.seconds, index=self.index)
            seq_no, primary_term = self._version
            try:
                response = self.engine.client.index(
                    index=LEASES_INDEX,
                    id=self.alias,
                    body=record,
                    if_seq_no=seq_no,
                    if_primary_term=primary_term,
                )
            except (self.engine.conflict_error, self.engine.not_found_error):
                raise LeaseLost(
                    f"the reindex lease on {self.alias!r} was taken over by another run "
                    f"({self._current_holder()}); this run stopped without touching the alias"
                ) from None
            except self.engine.connection_errors:
                raise EngineUnavailable(
                    f"{self.engine.name} at {self.engine.where} is unreachable (renewing the "
                    "reindex lease)"
                ) from None
            self._version = (response["_seq_no"], response["_primary_term"])

    def check(self) -> None:
        self._heartbeat.check()

    def stop(self) -> None:
        self._heartbeat.stop()

    def release(self) -> None:
        self.stop()
        seq_no, primary_term = self._version
        with contextlib.suppress(Exception):  # best effort: expiry or --take-over cover a miss
            self.engine.client.delete(
                index=LEASES_INDEX, id=self.alias, if_seq_no=seq_no, if_primary_term=primary_term
            )

    def _current_holder(self) -> str:
        try:
            found = self.engine.client.get(index=LEASES_INDEX, id=self.alias)["_source"]
        except Exception:
            return "holder unknown"
        return str(Holder(found["host"], int(found["pid"]), found["token"]))


def _write_or_conflict(
    engine: ClusterEngine, alias: str, record: dict, **condition: Any
) -> dict | None:
    """Write the lease document on `condition` (op_type=create, or if_seq_no + if_primary_term);
    None when the condition failed (HTTP 409: someone else's lease is there)."""

    def write() -> dict | None:
        try:
            return dict(engine.client.index(index=LEASES_INDEX, id=alias, body=record, **condition))
        except engine.conflict_error:
            return None

    return engine._call(f"writing the reindex lease on {alias!r}", write)


def _ensure_leases_index(engine: ClusterEngine) -> None:
    if engine._call("checking the leases index", engine.client.indices.exists, index=LEASES_INDEX):
        return
    try:
        engine.client.indices.create(index=LEASES_INDEX, body=_LEASES_BODY)
    except engine.api_error as error:
        if "resource_already_exists_exception" not in str(error):  # another run made it first
            raise SearcherError(
                f"{engine.name} at {engine.where} refused creating {LEASES_INDEX!r}: {error}"
            ) from None


def _record(alias: str, holder: Holder, seconds: float, *, index: str | None) -> dict[str, Any]:
    now = time.time()
    return {
        "alias": alias,
        "host": holder.host,
        "pid": holder.pid,
        "token": holder.token,
        "index": index,
        "renewed_at": now,
        "expires_at": now + seconds,
    }


def _held_message(alias: str, holder: Holder, held: dict[str, Any]) -> str:
    renewed = datetime.fromtimestamp(float(held["renewed_at"]), UTC).strftime("%H:%M:%S UTC")
    left = max(0, round(float(held["expires_at"]) - time.time()))
    building = f", building {held['index']}" if held.get("index") else ""
    return (
        f"another reindex of {alias!r} is running ({holder}{building}; lease renewed at "
        f"{renewed}, expires in {left} s). Wait for it to finish; if that run is dead, rerun "
        "with --take-over"
    )
