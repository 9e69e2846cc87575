"""One slow search must not hold up /health or the next search (issue #9, item 5's queueing).

A search can be slow for reasons no bound removes (a cold disk, a huge hit, a busy core).  Here
one is held inside the real embedded engine, mid-snippet, by an analyzer that waits at a gate
when it highlights a chosen word; everything else about the engine and the server is real
(uvicorn on loopback).  While it is held, /health and a search for another word must answer.
The old API gave the embedded engine one worker thread and the engine one lock for every call:
/health waited 10.1 s behind a 10.6 s search.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from searcher.api import create_app
from searcher.arabic import ArabicAnalyzer
from searcher.engines.embedded import EmbeddedEngine
from searcher.models import Document
from searcher.settings import Settings
from tests.serving import free_port

SLOW_WORD = "تكرار"
HELD_FOR = 60  # the gate opens by itself after this, so a failing test cannot hang the run


class GatedAnalyzer(ArabicAnalyzer):
    """The real analysis; highlighting text that holds `SLOW_WORD` waits until `gate` opens."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.gate = threading.Event()

    def term_spans(
        self, text: str, stemmed_terms: Collection[str], exact_terms: Collection[str]
    ) -> list[tuple[int, int]]:
        if SLOW_WORD in text:
            self.entered.set()
            self.gate.wait(HELD_FOR)
        return super().term_spans(text, stemmed_terms, exact_terms)


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[str, GatedAnalyzer]]:
    analyzer = GatedAnalyzer()
    engine = EmbeddedEngine(tmp_path, analyzer)
    engine.create_index("site")
    engine.bulk(
        "site",
        [
            Document(id="slow", title="نص طويل", body=" ".join([SLOW_WORD] * 2000)),
            Document(id="school", title="مدرسة", body="ذهب أحمد إلى المدرسة صباحا"),
        ],
    )
    engine.refresh("site")
    app = create_app(Settings(engine="embedded", data_dir=tmp_path, index="site"), engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", analyzer
    finally:
        analyzer.gate.set()
        server.should_exit = True
        thread.join(timeout=30)


def test_health_and_other_searches_answer_while_a_search_is_held(
    held: tuple[str, GatedAnalyzer],
) -> None:
    url, analyzer = held
    slow: dict[str, httpx.Response] = {}
    searching = threading.Thread(
        target=lambda: slow.update(
            r=httpx.get(url + "/search", params={"q": SLOW_WORD}, timeout=120)
        )
    )
    searching.start()
    assert analyzer.entered.wait(30), "the slow search never reached the snippet step"

    # Bounded waits are liveness checks, not speed: queued behind the held search, these would
    # wait the full HELD_FOR seconds.
    health = httpx.get(url + "/health", timeout=HELD_FOR / 2)
    assert health.json()["documents"] == 2
    other = httpx.get(url + "/search", params={"q": "المدرسة"}, timeout=HELD_FOR / 2)
    assert [hit["id"] for hit in other.json()["hits"]] == ["school"]
    assert not analyzer.gate.is_set() and searching.is_alive()  # it really was still held

    analyzer.gate.set()
    searching.join(timeout=60)
    assert slow["r"].json()["hits"][0]["id"] == "slow"
