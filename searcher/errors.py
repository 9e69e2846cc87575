"""Errors a user can act on.  Messages name the index, file or URL, never a credential."""


class SearcherError(Exception):
    """Base class: the CLI prints these as one clear line and exits non-zero."""


class EngineUnavailable(SearcherError):
    """The engine cannot be reached (down, refused, timed out)."""


class IndexNotFound(SearcherError):
    """The index (or alias) does not exist yet: index something first."""


class IndexLocked(SearcherError):
    """Another process is writing to this embedded index."""


class ReadOnlyIndex(SearcherError):
    """The embedded data directory cannot be written here (a read-only mount, a replica)."""


class InvalidName(SearcherError, ValueError):
    """An index/alias name or an engine URL that no engine can take (the CLI exits 2).  A
    ValueError too, so settings validation reports it like any bad value."""


class LeaseHeld(SearcherError):
    """Another reindex of the same alias is running (its lease is live)."""


class LeaseLost(SearcherError):
    """This reindex's lease was taken over; it must stop without touching the alias."""
