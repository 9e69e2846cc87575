"""Searching a tantivy index in a directory we may not write (a read-only mount, a replica copy).

Tantivy takes a lock file even to read: opening a reader creates and locks `.tantivy-meta.lock`
beside the index, so on a read-only directory every search fails ("Failed to acquire Lockfile
… Read-only file system").  tantivy-py offers no read-only directory, so a `ReadOnlyView` gives
tantivy a writable stand-in: a private temporary directory of symbolic links to the index's
files, where the lock files can live.  The index itself is only ever read.  `sync` relinks
before each reload, so a replica refreshed underneath is followed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

# Tantivy's own lock files: never linked, so they are created in the writable stand-in.
_LOCKS = (".tantivy-meta.lock", ".tantivy-writer.lock")


def writable(path: Path) -> bool:
    """Can this process create files in `path`? (False on a read-only mount, or without the
    permission; `access` answers for the real user, root included, as `open` would.)"""
    return os.access(path, os.W_OK | os.X_OK)


class ReadOnlyView:
    """A temporary directory that tantivy can lock, whose files are links into `source`."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.path = Path(tempfile.mkdtemp(prefix="searcher-readonly-"))
        # Removed when the view is garbage (its index handle dropped) or at exit.
        weakref.finalize(self, shutil.rmtree, self.path, ignore_errors=True)
        self._lock = threading.Lock()  # searches on several threads sync the same view
        self.sync()

    def sync(self) -> None:
        """Link the files `source` holds now; drop links to files it no longer holds."""
        with self._lock:
            present = {name for name in os.listdir(self.source) if name not in _LOCKS}
            linked = {name for name in os.listdir(self.path) if name not in _LOCKS}
            for name in present - linked:
                (self.path / name).symlink_to(self.source / name)
            for name in linked - present:
                (self.path / name).unlink()
