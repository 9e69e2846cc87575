"""A deterministic corpus generator: news-article-length documents from real Arabic text.

The building blocks are the bundled sample corpus's paragraphs and verses (real news text and
Uthmani Quranic text).  Each generated document takes a title from one block and a body of
several blocks, chosen by a seeded RNG, so a corpus of any size is reproducible and its term
statistics stay those of real Arabic, not of random strings.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

from searcher.models import Document

SAMPLE = Path(__file__).resolve().parents[1] / "searcher" / "data" / "sample_corpus.jsonl"
BLOCKS_PER_DOC = (6, 14)  # roughly 150–400 words: a news article


def _blocks() -> list[str]:
    docs = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [d["body"] for d in docs if d["id"] != "news-1"]  # paragraphs and verses


def documents(count: int, seed: int = 7) -> Iterator[Document]:
    rng = random.Random(seed)
    blocks = _blocks()
    for i in range(count):
        body = "\n".join(rng.choices(blocks, k=rng.randint(*BLOCKS_PER_DOC)))
        title = " ".join(rng.choice(blocks).split()[:8])
        yield Document(id=f"doc-{i}", title=title, body=body, tags=["bench"])


def write_jsonl(path: Path, count: int, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for doc in documents(count, seed):
            out.write(doc.model_dump_json() + "\n")
    return path
