"""The peer a careful user builds from the standard library: SQLite FTS5 plus a hand-written
Arabic normaliser (harakat, Quranic marks and tatweel removed; alef forms, ى and ة folded).

One definition for both benches: `relevance.py` scores its results, `run.py` times it (indexing
a dump on disk, searching with FTS5's own `snippet()`).  FTS5 cannot take a tokenizer from
Python, so it stores and indexes the NORMALISED text: its snippets show the text without its
harakat, one of the compromises searcher avoids.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from pathlib import Path

_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_WORD = re.compile(r"\w+")

SCHEMA = "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(id UNINDEXED, title, body)"
# bm25 with the title weighted 3x (the id column is not indexed), best first.
RANKED = (
    "SELECT id, bm25(fts, 0.0, 3.0, 1.0) FROM fts WHERE fts MATCH ? "
    "ORDER BY bm25(fts, 0.0, 3.0, 1.0) LIMIT ?"
)
# The same, with a snippet of the body: up to 24 tokens around the matches.
WITH_SNIPPETS = (
    "SELECT id, title, snippet(fts, 2, '<mark>', '</mark>', '…', 24) FROM fts "
    "WHERE fts MATCH ? ORDER BY bm25(fts, 0.0, 3.0, 1.0) LIMIT ?"
)


def fts_normalise(text: str) -> str:
    """Harakat, Quranic marks and tatweel removed; alef forms, ى and ة folded."""
    return _MARKS.sub("", text).translate(_FOLD)


def match(text: str) -> str:
    """An FTS5 MATCH expression requiring every word of `text` (each quoted: no syntax)."""
    return " AND ".join(f'"{w}"' for w in _WORD.findall(fts_normalise(text))) or '""'


def index_dump(dump: Path, database: Path, chunk: int) -> None:
    """Index a JSON-lines dump into an FTS5 table on disk, one transaction per `chunk` lines."""
    db = sqlite3.connect(database)
    db.execute(SCHEMA)
    rows = []
    with dump.open(encoding="utf-8") as lines:
        for line in lines:
            doc = json.loads(line)
            rows.append((doc["id"], fts_normalise(doc["title"]), fts_normalise(doc["body"])))
            if len(rows) >= chunk:
                with db:
                    db.executemany("INSERT INTO fts VALUES (?, ?, ?)", rows)
                rows.clear()
    with db:
        db.executemany("INSERT INTO fts VALUES (?, ?, ?)", rows)
    db.close()


def search(db: sqlite3.Connection, text: str, size: int = 10) -> list[tuple[str, str, str]]:
    """(id, title, snippet) of the best `size` documents holding every word of `text`."""
    return db.execute(WITH_SNIPPETS, (match(text), size)).fetchall()


if __name__ == "__main__":  # python bench/fts5.py DUMP DATABASE CHUNK (run.py's child process)
    index_dump(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))
