"""One reindex per alias at a time: the lease a run takes before it builds, and who holds it.

Two runs on one alias (a cron job and a person, two machines) used to prune each other's
generations and could leave the alias on an index with no Arabic analysis (issue #15).  Now a run
takes the alias's lease first, where every other run looks:

- cluster engines: a document in the hidden ``searcher-leases`` index on the cluster itself
  (`engines/cluster_lease.py`), created with ``op_type=create``, renewed by a heartbeat, taken
  over with compare-and-swap (``if_seq_no``/``if_primary_term``) when it expired, when its
  process is gone from this machine, or on ``--take-over``;
- embedded: an exclusive `flock` on ``DATA_DIR/leases/NAME.lock``; the kernel drops it when
  the holder's process ends, so it can never outlive its run.

A run renews its lease before the alias swap, so a run that was taken over stops there.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from searcher.errors import EngineUnavailable, LeaseLost


@dataclass(frozen=True)
class Holder:
    """Who holds a lease: a process on a machine (`token` tells two runs of one pid apart)."""

    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}"

    def is_local(self) -> bool:
        return self.host == socket.gethostname()

    def is_gone(self) -> bool:
        """Certainly dead: its process no longer exists on this machine."""
        if not self.is_local():
            return False  # another machine's processes cannot be seen from here
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False  # alive, another user's
        return False


class Lease(Protocol):
    """A held lease.  `renew` raises `LeaseLost` if another run took it over."""

    def renew(self, index: str | None = None) -> None:
        """Extend it now (and record the index being built)."""

    def check(self) -> None:
        """Raise the `LeaseLost` the heartbeat found, if it found one."""

    def stop(self) -> None:
        """Stop renewing without giving it up, as when a process dies."""

    def release(self) -> None:
        """Give it up (never raises: a run that failed still tries to release)."""


class Heartbeat:
    """Calls `renew` every `interval` seconds on a daemon thread until stopped.

    A `LeaseLost` is kept for `check` and ends the beat; an unreachable engine is not a loss
    (the next beat tries again, and the lease's expiry covers the gap).
    """

    def __init__(self, renew: Callable[[], None], interval: float) -> None:
        self.lost: LeaseLost | None = None
        self._renew = renew
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="lease-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._renew()
            except LeaseLost as lost:
                self.lost = lost
                return
            except EngineUnavailable:
                continue

    def check(self) -> None:
        if self.lost is not None:
            raise self.lost

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
