"""The write key: what unlocks POST/DELETE /documents, checked before a request body is read.

A key that is empty, blank, short, or that no HTTP client could send (control characters,
spaces at either end, which HTTP strips from a header) refuses to start the server: a typo in
a deployment must not leave the write routes open, or closed for good without anyone noticing.

The comparison is on bytes, in constant time.  A header arrives as the client's raw bytes; the
key is compared as its UTF-8 bytes, so a non-ASCII key works from any client that sends UTF-8.
"""

from __future__ import annotations

import secrets
import unicodedata

from searcher.errors import SearcherError
from searcher.limits import MIN_WRITE_KEY_CHARS
from searcher.settings import Settings

HEADER = "X-API-Key"


class WeakWriteKey(SearcherError):
    """SEARCHER_WRITE_KEY is set but unusable; the message says why (never the key itself)."""


class WriteKey:
    """A checked write key; `matches` takes a header value as the bytes the client sent."""

    def __init__(self, key: str) -> None:
        problem = _problem(key)
        if problem:
            raise WeakWriteKey(f"SEARCHER_WRITE_KEY {problem}; the write endpoints stay off")
        self._expected = key.encode("utf-8")

    def matches(self, given: bytes | None) -> bool:
        return secrets.compare_digest(given or b"", self._expected)


def _problem(key: str) -> str | None:
    if not key.strip():
        return "is empty or blank"
    if len(key) < MIN_WRITE_KEY_CHARS:
        return f"is shorter than {MIN_WRITE_KEY_CHARS} characters"
    if key != key.strip():
        return "starts or ends with whitespace, which HTTP strips from a header"
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs") for char in key):
        return "holds control or invisible characters that no client can send in a header"
    return None


def write_key(settings: Settings) -> WriteKey | None:
    """The configured key (None: no write endpoints at all), or `WeakWriteKey`."""
    if settings.write_key is None:
        return None
    return WriteKey(settings.write_key.get_secret_value())
