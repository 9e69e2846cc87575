"""Broken plurals (مدارس → مدرسة, كتب → كتاب, طلاب → طالب): an optional table the user builds.

No stemmer can turn مدارس into مدرسة: the plural is a different pattern of the root, so only a
lexicon knows it.  The one we found with broken plurals at scale, arramooz (30k nouns, 5,293 with
broken plurals), is GPL-3.0, and searcher is MIT: its data is never shipped with searcher.
Instead the user installs it and builds the table on their own machine:

    uv sync --extra plurals          # or: pip install "searcher[plurals]" (pulls arramooz, GPL)
    uv run python -m searcher.arabic.plurals ~/.local/share/searcher/plurals.tsv
    export SEARCHER_PLURALS=~/.local/share/searcher/plurals.tsv     # then reindex

The table holds surface forms, one ``plural<TAB>singular`` pair a line.  `ArabicAnalyzer` turns
them into stems with its own rules (so the table survives rule changes) and, after stemming,
replaces a plural's stem by its singular's: «المدارس» and «مدرستنا» meet.  The engine template
gets the same map as a `stemmer_override` filter after the stemmer.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

from searcher.errors import SearcherError

HEADER = (
    "# Arabic broken plurals, plural<TAB>singular, built by `python -m searcher.arabic.plurals` "
    "from arramooz-pysqlite's nouns (GPL-3.0): keep it on this machine.\n"
)
_ARABIC_WORD = re.compile(r"^[\u0621-\u065f\u0670]+$")


def arramooz_database() -> Path:
    """The dictionary database of the installed arramooz package (the `plurals` extra)."""
    from importlib import resources

    try:
        files = resources.files("arramooz")
    except ModuleNotFoundError:
        raise SearcherError(
            "arramooz is not installed: `uv sync --extra plurals` (or "
            '`pip install "searcher[plurals]"`) installs it; it is GPL-3.0'
        ) from None
    return Path(str(files / "data" / "arabicdictionary.sqlite"))


def pairs_from_arramooz(database: Path) -> list[tuple[str, str]]:
    """(plural, singular) for the broken plurals arramooz lists, vocalised as it writes them,
    the most frequent singular first (its `wordfreq` counts): unvocalised, كتب is the plural of
    كتاب and of كاتب, and the analysis keeps the first pair for a plural.

    A plural whose stem is also the stem of a word of its own is left out when that word is at
    least as common as the singular (unvocalised, أربعاء is Wednesday, not ربيع's plural; قيام is
    standing, not قائم's plural) or when the stemmer cut the stem out of the plural (أبيات →
    ابي, the stem of أبي and أبى).  `wordfreq` lists lemmas with their counts.  كتب stays: the
    verb is rarer than كتاب.
    """
    from searcher.arabic import DEFAULT

    def stem_of(word: str) -> str:
        terms = DEFAULT.terms(word, stack=False)
        return terms[0] if len(terms) == 1 else ""

    frequency: dict[str, int] = {}  # unvocalised lemma → count
    counts = database.with_name("wordfreq.sqlite")
    if counts.exists():
        with sqlite3.connect(f"file:{counts}?mode=ro", uri=True) as db:
            for word, freq in db.execute("SELECT unvocalized, freq FROM wordfreq"):
                frequency[word] = frequency.get(word, 0) + freq
    lemma_stems: dict[str, int] = {}  # stem → count of the commonest lemma with that stem
    for word, freq in frequency.items():
        stem = stem_of(word)
        lemma_stems[stem] = max(lemma_stems.get(stem, 0), freq)
    pairs = []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT vocalized, unvocalized, broken_plural FROM nouns "
            "WHERE broken_plural != '' ORDER BY id"
        )
        for singular, bare, plurals in rows:
            common = frequency.get(bare, 0)
            singular_stem = stem_of(singular)
            for plural in re.split(r"[;،,\s]+", plurals):
                if not plural or not _ARABIC_WORD.match(plural):
                    continue
                stem = stem_of(plural)
                if stem == singular_stem:
                    continue
                # A stem the stemmer cut out of the plural (أبيات → ابي) must be no word's stem
                # at all: أبي (my father) is everywhere in hadith.  A plural left whole (كتب) only
                # has to be rarer as a word of its own than its singular.
                cut = [stem] != DEFAULT.terms(plural, stemmed=False)
                clash = lemma_stems.get(stem, 0)
                if (cut and clash) or clash >= max(common, 1):
                    continue
                pairs.append((-common, plural, singular))
    pairs.sort(key=lambda row: row[0])  # stable: arramooz's order among equals
    return [(plural, singular) for _, plural, singular in pairs]


def write(pairs: Iterable[tuple[str, str]], out: Path) -> int:
    """Write the table; returns how many pairs it holds."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as table:
        table.write(HEADER)
        for plural, singular in pairs:
            table.write(f"{plural}\t{singular}\n")
            count += 1
    return count


def load(path: Path) -> list[tuple[str, str]]:
    """The (plural, singular) pairs of a table written by `write`; a clear error otherwise."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise SearcherError(f"cannot read the plural table {path}: {error.strerror}") from None
    pairs = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        plural, tab, singular = line.partition("\t")
        if not tab or not plural.strip() or not singular.strip():
            raise SearcherError(f"{path}:{number}: expected 'plural<TAB>singular'")
        pairs.append((plural.strip(), singular.strip()))
    return pairs


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m searcher.arabic.plurals OUT.tsv", file=sys.stderr)
        return 2
    out = Path(argv[0]).expanduser()
    count = write(pairs_from_arramooz(arramooz_database()), out)
    print(f"wrote {count} plural/singular pairs to {out}; set SEARCHER_PLURALS={out} and reindex")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
