"""The embedded engine's reindex lease: an exclusive `flock` on ``DATA_DIR/leases/NAME.lock``.

The kernel releases the lock when the holding process ends, however it ends, so a dead run
never blocks the next one and there is nothing to expire or take over.  The file names its
holder (pid, host) for the message the next run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import IO

from searcher.errors import LeaseHeld
from searcher.lease import Holder


class FileLease:
    def __init__(self, file: IO[str]) -> None:
        self._file: IO[str] | None = file

    @classmethod
    def acquire(cls, path: Path, alias: str, holder: Holder | None) -> FileLease:
        path.parent.mkdir(parents=True, exist_ok=True)
        file = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            held = file.read().strip()
            file.close()
            who = json.loads(held) if held.startswith("{") else {}
            raise LeaseHeld(
                f"another reindex of {alias!r} is running (pid {who.get('pid', '?')} on this "
                "machine); wait for it to finish: its lock goes when its process ends"
            ) from None
        holder = holder or Holder()
        file.truncate(0)
        file.write(json.dumps({"pid": holder.pid, "host": holder.host}))
        file.flush()
        os.fsync(file.fileno())
        return cls(file)

    def renew(self, index: str | None = None) -> None:
        """Nothing to renew: the lock holds while this process lives."""

    def check(self) -> None:
        """Nothing can take the lock from a live process."""

    def stop(self) -> None:
        """Nothing runs in the background."""

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
