"""Index and alias names, and engine URLs: checked before any request or file is made from them.

Elasticsearch and OpenSearch refuse some names outright and read others as patterns (`b*`,
`_all` and `a,b` reach many indices at once); the embedded engine makes directories and files
from them (`a/../../x` would leave the data directory).  One set of rules holds on every engine,
so an index can move between them: the engines' own rules, plus room for the names searcher
derives from a name (a reindex's ``NAME-<timestamp>`` and its writer alias, files named after it).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from searcher.errors import InvalidName

ENGINE_MAX_NAME_BYTES = 255  # Elasticsearch/OpenSearch; also one path component on most systems
GENERATION_DIGITS = 20  # reindex builds NAME-<YYYYmmddHHMMSS + microseconds>
WRITER_SUFFIX = ".writer"  # the hidden alias every bulk write goes through (engines/cluster.py)
MAX_NAME_BYTES = ENGINE_MAX_NAME_BYTES - len("-") - GENERATION_DIGITS - len(WRITER_SUFFIX)

_FORBIDDEN = {
    "*": "a wildcard ('*'): it would reach every index it matches",
    "?": "a wildcard ('?'): it would reach every index it matches",
    ",": "',': engines read it as a list of indices",
    " ": "a space",
    **{ch: f"'{ch}', which index names cannot hold" for ch in '\\/"<>|#:'},
}


def check_name(name: str) -> str:
    """`name` if it is a usable index or alias name; else `InvalidName` saying why, in one line."""
    if not name:
        raise InvalidName("the index name is empty")
    if name == "_all":
        raise InvalidName("'_all' means every index on the cluster, not one index")
    if name in (".", ".."):
        raise InvalidName(f"the index name cannot be '.' or '..' (got {name!r})")
    size = len(name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise InvalidName(
            f"the index name is {size} bytes of UTF-8; names take at most {MAX_NAME_BYTES} bytes "
            f"(engines allow {ENGINE_MAX_NAME_BYTES}, less what a reindex adds to it)"
        )
    if any(ch < " " or ch == "\x7f" for ch in name):
        raise InvalidName(f"the index name {name!r} holds a control character")
    for ch in name:
        if ch in _FORBIDDEN:
            raise InvalidName(f"the index name {name!r} holds {_FORBIDDEN[ch]}")
    if name[0] in "_-+.":
        raise InvalidName(
            f"the index name {name!r} starts with '{name[0]}': names cannot start with "
            "'_', '-', '+' or '.' (the engines reserve them)"
        )
    if name != name.lower():
        raise InvalidName(f"the index name {name!r} must be lower case ({name.lower()!r})")
    return name


def check_url(url: str) -> str:
    """`url` if it is an http(s) URL with a host and a valid port; else `InvalidName`."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading the port is what raises for ':notaport' or 99999
    except ValueError as error:
        raise InvalidName(f"the engine URL {url!r} is malformed: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidName(f"the engine URL {url!r} must start with http:// or https://")
    if not parts.hostname:
        raise InvalidName(f"the engine URL {url!r} names no host")
    return url
