"""Filters: restrict a search to some tags, a publication date range, or declared field values.

What a site's search box offers beside the query, in the words Meilisearch and Algolia use:

    tags          one or several; a document with ANY of them (or, `tags_match="all"`, all)
    published_at  a range: `since` and `until`, both inclusive (a bare date until its last ms)
    declared      keyword fields the deployment DECLARES when the index is created
                  (SEARCHER_FILTERABLE=category,author); several values of one field: any

Only those fields are filterable (and facetable): a filter on any other name is refused with a
`FilterError` that lists what the index declares, never ignored, and never a way to reach a
field the site did not mean to expose (a document's `body`, `url` or a private extra field).
What an index declares is stored with the index when it is created (the embedded engine's
``searcher.json``, the cluster mapping's ``_meta``), so every later process knows it.

Each engine renders `Filters` as non-scoring clauses of the same query (`engines/wire.py`,
`engines/embedded.py`): a filter changes which documents match, never how they rank.  Dates are
compared as milliseconds since the epoch, UTC (an engine `date` field's resolution); a time
without a zone is UTC, as Elasticsearch reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

import orjson

from searcher.errors import SearcherError
from searcher.limits import MAX_FILTER_VALUES, MAX_FILTERABLE_FIELDS, MAX_KEYWORD_CHARS

TAGS = "tags"
DATE = "published_at"
# A declared field is a keyword field of its own in every engine's index: a plain lower-case
# name, so it can be a tantivy field name, an Elasticsearch field and a URL parameter value alike.
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Names a deployment cannot declare: the document's own fields, and the engines' internal ones.
RESERVED = frozenset({"id", "title", "body", "url", DATE, TAGS, "searcher_forms", "source"})

TagsMatch = Literal["any", "all"]


class FilterError(SearcherError):
    """A filter that cannot be applied (undeclared field, bad date, too many values): one line;
    the API answers 400, the CLI exits 2."""


@dataclass(frozen=True)
class Filters:
    """What a search is restricted to; empty (`Filters()`) restricts nothing."""

    tags: tuple[str, ...] = ()
    tags_match: TagsMatch = "any"
    since: int | None = None  # epoch milliseconds, inclusive
    until: int | None = None  # epoch milliseconds, inclusive
    # (declared field, values): a document with any of the values
    fields: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not (self.tags or self.fields) and self.since is None and self.until is None

    def names(self) -> set[str]:
        """The declared fields this filter reads (tags and dates are always there)."""
        return {name for name, _ in self.fields}


NO_FILTERS = Filters()


def check_declarable(names: Iterable[str]) -> tuple[str, ...]:
    """The names a deployment asks to declare filterable, checked (sorted, no duplicates)."""
    declared = tuple(sorted(set(names)))
    for name in declared:
        if not FIELD_NAME.match(name):
            raise FilterError(
                f"cannot declare {name!r} filterable: a field name is a lower-case letter, then up "
                "to 39 lower-case letters, digits or _"
            )
        if name in RESERVED:
            raise FilterError(
                f"cannot declare {name!r} filterable: it is a document field of its own "
                f"(tags and {DATE} are always filterable; {', '.join(sorted(RESERVED))} are taken)"
            )
    if len(declared) > MAX_FILTERABLE_FIELDS:
        raise FilterError(f"at most {MAX_FILTERABLE_FIELDS} filterable fields can be declared")
    return declared


def build(
    *,
    tags: Sequence[str] = (),
    tags_match: TagsMatch = "any",
    since: str | None = None,
    until: str | None = None,
    filters: Sequence[str] = (),
) -> Filters:
    """`Filters` from what a user typed (CLI options, API parameters); `filters` are
    ``field=value`` strings.  Raises `FilterError` for anything malformed or beyond the limits."""
    values: dict[str, list[str]] = {}
    for spec in filters:
        name, equals, value = spec.partition("=")
        name = name.strip()
        if not equals or not name:
            raise FilterError(f"a filter is field=value, got {shown(spec)!r}")
        values.setdefault(name, []).append(value)
    all_tags = [*tags, *values.pop(TAGS, [])]
    if DATE in values:
        raise FilterError(f"{DATE} is filtered with since and until, not field=value")
    given = [*all_tags, *(v for vs in values.values() for v in vs)]
    if len(given) > MAX_FILTER_VALUES:
        raise FilterError(f"at most {MAX_FILTER_VALUES} filter values in one search")
    for value in given:
        if not value:
            raise FilterError("a filter value cannot be empty")
        if len(value) > MAX_KEYWORD_CHARS:
            raise FilterError(
                f"a filter value is at most {MAX_KEYWORD_CHARS} characters "
                f"(got {len(value)}: {shown(value)!r})"
            )
    low = None if since is None else epoch_millis(parse_when(since, "since"))
    high = None if until is None else epoch_millis(parse_when(until, "until", end=True))
    if low is not None and high is not None and low > high:
        raise FilterError(f"since ({since}) is after until ({until}): nothing can match")
    return Filters(
        tags=tuple(dict.fromkeys(all_tags)),
        tags_match=tags_match,
        since=low,
        until=high,
        fields=tuple((name, tuple(dict.fromkeys(vs))) for name, vs in sorted(values.items())),
    )


def check(filters: Filters, declared: Sequence[str]) -> None:
    """Refuse a filter on a field the index does not declare (`FilterError`, naming them)."""
    unknown = sorted(filters.names() - set(declared))
    if unknown:
        name = shown(unknown[0])
        raise FilterError(f"{name!r} is not filterable here; {declared_list(declared)}")


def declared_list(declared: Sequence[str]) -> str:
    """What an index filters and counts by, for error messages."""
    extra = f", and the declared {', '.join(declared)}" if declared else ""
    return (
        f"this index filters and counts {TAGS} (and {DATE} with since/until){extra} "
        "(SEARCHER_FILTERABLE when the index is created)"
    )


def shown(text: str) -> str:
    """A user's input, cut short for an error message."""
    return text[:40] + ("…" if len(text) > 40 else "")


# -- dates ----------------------------------------------------------------------------------------


def parse_when(text: str, what: str, *, end: bool = False) -> datetime:
    """An ISO date or date-time; a bare date means its first (or, `end`, its last) millisecond."""
    try:
        if "T" not in text and " " not in text.strip():
            day = date.fromisoformat(text.strip())
            start = datetime.combine(day, time(), tzinfo=UTC)
            return start + timedelta(days=1, milliseconds=-1) if end else start
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(
            f"{what} is a date or date-time such as 2025-12-01 or 2025-12-01T10:30:00+03:00, "
            f"got {shown(text)!r}"
        ) from None


def epoch_millis(when: datetime | date) -> int:
    """Milliseconds since the epoch (UTC; a time without a zone is UTC, a bare date midnight)."""
    if not isinstance(when, datetime):
        when = datetime.combine(when, time())
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def millis_iso(millis: int) -> str:
    """Epoch milliseconds as the ISO date-time the engines are sent."""
    when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- indexing: what an engine indexes for a keyword field ------------------------------------------


class NotKeyword(ValueError):
    """A declared field's value an engine cannot index as keywords (an object)."""


def keyword_values(value: Any) -> list[str]:
    """The keywords a document's field value indexes, as Elasticsearch's `keyword` type reads
    JSON: a string as it is, a number as its JSON text, true/false, lists flattened, null and
    values over `MAX_KEYWORD_CHARS` left out (`ignore_above`).  An object is `NotKeyword`."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            raise NotKeyword("an object cannot be a keyword value")
        elif item is None:
            continue
        else:
            text = item if isinstance(item, str) else orjson.dumps(item).decode()
            if len(text) <= MAX_KEYWORD_CHARS:
                out.append(text)
    return out
