"""Bulk requests to Elasticsearch/OpenSearch: cut by bytes, retried on 429, split when refused.

`client.bulk` does the HTTP; this module decides what goes in each request and what to do with
the answer.  Why not `helpers.streaming_bulk`, which it replaces: the helper cannot split a
request the engine refuses as a whole (400 `action_request_validation_exception` for one
over-long id, 413 for one huge document) to isolate the culprit, and it retries a 429 that can
never pass (one document over the node's indexing-pressure limit) eight times before giving up.
Both stopped whole runs (issue #15).  Here:

- a request holds at most `max_bytes` of NDJSON (a bigger document goes alone);
- a request refused as a whole (400, 413, a 429 saying the request alone exceeds the node's
  limit) is split in halves until the document at fault is alone, and that one is rejected with
  the engine's reason; everything else lands;
- 429 "busy" answers (queue full, memory pressure) are retried with exponential backoff;
- a 502/503/504 for a document (its shard's node down or restarting) is not the document's
  fault: the chunk stops with `EngineUnavailable`, nothing rejected, so a rerun resumes;
- a 404 `index_not_found_exception` means the target is gone: every write carries
  `require_alias=true`, so the engine answers that instead of auto-creating an index with
  default mappings; it stops the chunk (`TargetGone`), never rejects documents one by one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from searcher.errors import EngineUnavailable, SearcherError

# What to do about a refusal: retry later, split the request to isolate the document at fault,
# reject this one document, or stop (the target is gone; or a request-level error no split fixes).
Kind = Literal["busy", "split", "reject", "unavailable", "gone", "stop"]
# A shard whose node is down or restarting answers these for the documents routed to it.
_UNAVAILABLE = frozenset({502, 503, 504})
_SPLIT_ON_400 = ("action_request_validation_exception",)  # e.g. one id over 512 bytes
# Indexing pressure names the bytes this request needs and the node's ceiling: when the first
# exceeds the second, no retry can ever pass (only a smaller request can).
_PRESSURE = re.compile(r"(\w+)_operation_bytes=(\d+), max_\w+_bytes=(\d+)")


class TargetGone(SearcherError):
    """The index being written no longer exists (nothing was created in its place)."""


@dataclass(frozen=True)
class Encoded:
    """One document as the two NDJSON lines of a bulk request, and its place in the chunk."""

    position: int
    lines: bytes

    @classmethod
    def of(cls, position: int, target: str, doc_id: str, source: dict[str, Any]) -> Encoded:
        action = orjson.dumps({"index": {"_index": target, "_id": doc_id}})
        return cls(position, action + b"\n" + orjson.dumps(source) + b"\n")


@dataclass(frozen=True)
class Refusal:
    """Why the engine refused a request or one document of it."""

    status: int
    type: str
    reason: str

    def kind(self, *, whole_request: bool) -> Kind:
        if self.status == 404 and self.type == "index_not_found_exception":
            return "gone"
        if self.status == 413:
            return "split"
        if self.status in _UNAVAILABLE:
            return "unavailable"
        if self.status == 429:
            pressure = _PRESSURE.search(self.reason)
            if pressure and int(pressure.group(2)) > int(pressure.group(3)):
                return "split"
            return "busy"
        if not whole_request:
            return "reject"  # a mapping conflict and the like: this document's own fault
        return "split" if self.status == 400 and self.type in _SPLIT_ON_400 else "stop"

    def __str__(self) -> str:
        if self.status == 413:
            return "413 Request Entity Too Large: over the engine's http.max_content_length"
        return f"{self.type}: {self.reason}" if self.reason else f"{self.status} {self.type}"


def refusal_of_item(result: dict[str, Any]) -> Refusal:
    error = result.get("error", {})
    if not isinstance(error, dict):
        return Refusal(int(result.get("status", 0)), "error", str(error))
    reason = str(error.get("reason", ""))
    cause = error.get("caused_by")
    if isinstance(cause, dict):
        reason += f" ({cause.get('type')}: {cause.get('reason')})"
    return Refusal(int(result.get("status", 0)), str(error.get("type", "error")), reason)


def refusal_of_exception(status: int, info: Any, fallback: str) -> Refusal:
    """The refusal in an API error's body (Elasticsearch and OpenSearch shape it alike)."""
    error = info.get("error") if isinstance(info, dict) else None
    if isinstance(error, dict):
        causes = error.get("root_cause") or [error]
        first = causes[0] if isinstance(causes[0], dict) else error
        return Refusal(status, str(first.get("type", "error")), str(first.get("reason", "")))
    return Refusal(status, str(error or fallback), "")


def by_bytes(docs: Sequence[Encoded], max_bytes: int) -> list[list[Encoded]]:
    """Consecutive groups of at most `max_bytes` each; a document bigger than that goes alone."""
    groups: list[list[Encoded]] = []
    size = 0
    for doc in docs:
        if not groups or size + len(doc.lines) > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(doc)
        size += len(doc.lines)
    return groups


class Sender:
    """Sends documents for one target through `request` (a `client.bulk` call) with the rules
    above.  `request` returns the response's items, or raises `RequestRefused`."""

    def __init__(
        self,
        request: Callable[[bytes], list[dict[str, Any]]],
        *,
        max_bytes: int,
        max_retries: int,
        initial_backoff: float,
        describe: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.request = request
        self.max_bytes = max_bytes
        self.max_retries = max_retries
        self.initial_backoff = initial_backoff
        self.describe = describe  # "opensearch at http://…", for messages
        self.sleep = sleep

    def send(self, docs: Sequence[Encoded]) -> dict[int, str | None]:
        """Each document's outcome by position: None when it landed, else why not."""
        outcome: dict[int, str | None] = {}
        for group in by_bytes(docs, self.max_bytes):
            outcome |= self._send_one_request(group)
        return outcome

    def _send_one_request(self, docs: list[Encoded]) -> dict[int, str | None]:
        outcome: dict[int, str | None] = {}
        pending, last = docs, None
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.sleep(self.initial_backoff * 2 ** (attempt - 1))
            try:
                items = self.request(b"".join(doc.lines for doc in pending))
            except RequestRefused as refused:
                last = refused.refusal
                kind = last.kind(whole_request=True)
                if kind == "split":
                    return outcome | self._split(pending, last)
                if kind == "gone":
                    raise TargetGone(str(last)) from None
                if kind == "unavailable":
                    raise self._unavailable(last) from None
                if kind == "stop":
                    raise SearcherError(f"{self.describe} refused a bulk request: {last}") from None
                continue  # busy: back off, then the same request again
            busy: list[Encoded] = []
            too_big: dict[Refusal, list[Encoded]] = {}
            for doc, result in zip(pending, items, strict=True):
                if int(result.get("status", 500)) < 300:
                    outcome[doc.position] = None
                    continue
                refusal = refusal_of_item(result)
                kind = refusal.kind(whole_request=False)
                if kind == "gone":
                    raise TargetGone(str(refusal))
                if kind == "unavailable":
                    # Not the document's fault: stop before the checkpoint moves past it.
                    raise self._unavailable(refusal)
                if kind == "busy":
                    busy.append(doc)
                    last = refusal
                elif kind == "split":
                    too_big.setdefault(refusal, []).append(doc)
                else:
                    outcome[doc.position] = str(refusal)
            for refusal, group in too_big.items():
                outcome |= self._split(group, refusal)
            if not busy:
                return outcome
            pending = busy
        if len(pending) == 1 and len(pending[0].lines) > self.max_bytes:
            # A document that needs a request of its own and is still refused after every retry
            # is what the node cannot take (memory circuit breaker), not a busy moment.
            outcome[pending[0].position] = f"refused {self.max_retries + 1} times: {last}"
            return outcome
        raise SearcherError(
            f"{self.describe} kept answering 429 after {self.max_retries} retries ({last}); "
            "the node is overloaded: rerun to resume"
        )

    def _unavailable(self, refusal: Refusal) -> EngineUnavailable:
        return EngineUnavailable(
            f"{self.describe}: documents met a shard that is not available (a node down or "
            f"restarting?): {refusal}; nothing was rejected: rerun to resume once the cluster "
            "is back"
        )

    def _split(self, docs: list[Encoded], refusal: Refusal) -> dict[int, str | None]:
        """Halves until the document at fault is alone in its request, then reject it."""
        if len(docs) == 1:
            return {docs[0].position: str(refusal)}
        half = len(docs) // 2
        return self._send_one_request(docs[:half]) | self._send_one_request(docs[half:])


class RequestRefused(Exception):
    """The engine refused a whole bulk request (raised by `Sender.request`)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal
