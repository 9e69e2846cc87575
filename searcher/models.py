"""The data that crosses module boundaries: documents in, hits and snippets out."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from searcher.limits import MAX_ID_BYTES, MAX_RECORD_DEPTH

_CONTROL_CHARS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
# Unicode's noncharacters, "for internal use": the engines' highlight tags are made of them
# (engines/wire.py), so text must never carry one.  Private-use characters (U+E000-U+F8FF) are
# text (legacy fonts put glyphs and verse markers there): they stay, and analysis splits on them.
_NONCHARACTERS = [
    *range(0xFDD0, 0xFDF0),
    *(plane + end for plane in range(0, 0x110000, 0x10000) for end in (0xFFFE, 0xFFFF)),
]
_NOT_TEXT = _CONTROL_CHARS + _NONCHARACTERS
_CONTROLS = dict.fromkeys(_NOT_TEXT)
_HAS_CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _NOT_TEXT) + "]")
# A lone surrogate is a half of a UTF-16 pair: Python strings can hold one (JSON's "\\ud800"
# escape makes one), but it is not text and cannot be stored, encoded or sent back.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(value: str) -> str:
    if _SURROGATE.search(value):
        raise ValueError("is not valid Unicode text (it holds a lone surrogate)")
    return value


def nesting_depth(value: Any, limit: int) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), counting no further than
    `limit` + 1.  Iterative: a hostile record must not exhaust the Python stack either."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > limit:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class Document(BaseModel):
    """One searchable document.  Fields we do not know are kept (``extra="allow"``)."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    title: str = ""
    body: str = ""
    url: str | None = None
    published_at: datetime | date | None = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bounded_nesting(cls, data: Any) -> Any:
        # Extra fields are kept as they come, so their depth is bounded here: the JSON encoders
        # behind every engine give up near 254 levels, and then a whole run stopped on one record.
        if isinstance(data, dict):
            depth = max((nesting_depth(v, MAX_RECORD_DEPTH) for v in data.values()), default=0)
            if depth > MAX_RECORD_DEPTH:
                raise ValueError(
                    f"fields nested more than {MAX_RECORD_DEPTH} levels deep (the limit)"
                )
        return data

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        # Dumps carry numeric ids as often as strings; both name the same document.
        if isinstance(value, bool):
            raise ValueError("id must be a string or a number, not a boolean")
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return value.strip()
        return value

    @field_validator("id")
    @classmethod
    def _id_fits_the_engines(cls, value: str) -> str:
        size = len(value.encode("utf-8", "surrogatepass"))  # a lone surrogate: _unicode_text
        if size > MAX_ID_BYTES:
            raise ValueError(
                f"id is {size} bytes of UTF-8; Elasticsearch and OpenSearch take at most "
                f"{MAX_ID_BYTES} bytes"
            )
        return value

    @field_validator("title", "body", mode="before")
    @classmethod
    def _text_or_empty(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("id", "title", "body", "url")
    @classmethod
    def _unicode_text(cls, value: str | None) -> str | None:
        return value if value is None else _valid_unicode(value)

    @field_validator("tags")
    @classmethod
    def _unicode_tags(cls, value: list[str]) -> list[str]:
        return [_valid_unicode(tag) for tag in value]

    @field_validator("title", "body")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        # NUL and other C0/C1 controls are never text; engines and terminals choke on them.
        # Tabs and newlines stay; so do bidi marks and joiners (the Arabic rules handle those).
        # Noncharacters go too (see _NONCHARACTERS).
        return value.translate(_CONTROLS) if _HAS_CONTROL.search(value) else value

    @field_validator("tags", mode="before")
    @classmethod
    def _tags_as_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [tag.strip() for tag in value.split(",") if tag.strip()]
        return value

    def source(self) -> dict[str, Any]:
        """The document as JSON-ready data, dates as ISO strings, empty extras kept."""
        return self.model_dump(mode="json")


class Snippet(BaseModel):
    """A fragment of ORIGINAL text with the matched spans; `html` is escaped and marked."""

    text: str
    marks: list[tuple[int, int]]


class Hit(BaseModel):
    id: str
    score: float
    title: str
    url: str | None = None
    snippet_html: str
    snippet: Snippet


class ShardCounts(BaseModel):
    """How many of the index's shards answered a search (Elasticsearch/OpenSearch)."""

    total: int
    successful: int
    failed: int  # shards that did not answer, for whatever reason


class SearchResponse(BaseModel):
    total: int
    took_ms: float
    # True when some shards did not answer (a node down, a shard unassigned, a timeout): the
    # hits and the total come from the rest and may miss documents.  Never silently.
    partial: bool = False
    # None where there are no shards to count: the embedded engine, or a query with no terms.
    shards: ShardCounts | None = None
    hits: list[Hit]
    # Set when the query as typed found nothing and a looser one is shown (`recovery.py`):
    # never while the strict query has results.
    relaxed: bool = False
    dropped: list[str] = Field(
        default_factory=list,
        description="the query's words the shown results do without (relaxed results only)",
    )
    # Set when the query as typed found nothing and the results allow close spellings of its
    # words (`typos.py`); `did_you_mean` then says which.
    corrected: bool = False
    did_you_mean: str | None = Field(
        default=None,
        description="the query with close spellings that find many more documents, when the "
        "query as typed finds nothing or little",
    )
    facets: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="for each facet asked for, the most frequent values among the documents "
        "the query and the filters match, with their counts",
    )
