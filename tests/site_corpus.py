"""A news site's documents for the search-box tests: real text, a site's metadata.

The text is real: the paragraphs of the news article (fixtures/news_ar.txt) and the first
Quranic verses of fixtures/quran_sample.jsonl.  The metadata is what a news site attaches:
tags (several per article), a publication time (some on the same day, some at the very same
moment, some dates without a time, none for the verses), and two fields the site declares
filterable, `category` and `author`, beside one it does not: `internal_note`, which no filter
or facet may ever reach.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from searcher.models import Document
from tests.conftest import FIXTURES, fixture_lines

DECLARED = ("author", "category")
POLITICS, RUSSIA, USA, UKRAINE, ECONOMY, QURAN = (
    "سياسة",
    "روسيا",
    "أمريكا",
    "أوكرانيا",
    "اقتصاد",
    "قرآن",
)
NEWS, ANALYSIS, TEXTS = "أخبار", "تحليل", "نصوص"
DESK, MOSCOW = "هيئة التحرير", "مراسل موسكو"

# One row per paragraph of the article: tags, published_at, category, author.
ROWS: list[tuple[tuple[str, ...], str | None, str, str]] = [
    ((POLITICS, RUSSIA), "2025-12-03T08:00:00+00:00", NEWS, DESK),
    ((POLITICS, USA), "2025-12-03T08:00:00+00:00", NEWS, DESK),  # the same moment as the first
    ((RUSSIA,), "2025-12-02T21:15:00+03:00", NEWS, MOSCOW),
    ((POLITICS, RUSSIA, UKRAINE), "2025-12-02", ANALYSIS, MOSCOW),  # a date, no time
    ((ECONOMY, RUSSIA), "2025-12-02", NEWS, DESK),
    ((POLITICS, UKRAINE), "2025-12-01T12:00:00", NEWS, DESK),  # no zone: UTC
    ((RUSSIA, UKRAINE), "2025-12-03T08:00:00+00:00", NEWS, MOSCOW),
    ((POLITICS, RUSSIA), "2025-11-30T23:59:59.999000+00:00", ANALYSIS, DESK),
    ((POLITICS, USA), None, NEWS, DESK),  # no date: last when sorted by date
    ((RUSSIA,), "2025-12-01T00:00:00+00:00", NEWS, MOSCOW),
    ((ECONOMY,), "2025-12-04T10:30:00+03:00", ANALYSIS, DESK),
    ((POLITICS,), "2025-12-02", NEWS, MOSCOW),
    ((POLITICS, UKRAINE, USA), "2025-11-28T09:00:00+00:00", ANALYSIS, DESK),
    ((UKRAINE,), "2025-12-05T07:00:00+00:00", NEWS, DESK),
]
VERSES = 10


def paragraphs() -> list[str]:
    return [line for line in fixture_lines("news_ar.txt") if len(line.split()) >= 8]


def site_documents() -> list[Document]:
    """14 articles (one per paragraph) and 10 verses."""
    docs = []
    for number, (text, (tags, published, category, author)) in enumerate(
        zip(paragraphs(), ROWS, strict=True)
    ):
        docs.append(
            Document(
                id=f"n{number:02d}",
                title=" ".join(text.split()[:6]),
                body=text,
                tags=list(tags),
                published_at=published,
                category=category,
                author=author,
                internal_note="ملاحظة داخلية سرية",
            )
        )
    lines = (FIXTURES / "quran_sample.jsonl").read_text(encoding="utf-8").splitlines()
    for line in lines[:VERSES]:
        verse = json.loads(line)
        docs.append(
            Document(
                id=verse["id"],
                title=verse["title"],
                body=verse["body"],
                tags=[QURAN],
                category=TEXTS,
                internal_note="ملاحظة داخلية سرية",
            )
        )
    return docs


def when(doc: Document) -> datetime | None:
    """A document's publication time as the engines compare it (a bare date is midnight UTC)."""
    value = doc.published_at
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)  # no zone: UTC
    assert isinstance(value, date)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)
