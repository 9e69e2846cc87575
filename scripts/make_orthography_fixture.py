"""Regenerate tests/fixtures/quran_orthography.txt (run by hand when the Uthmani rules change).

    python scripts/make_orthography_fixture.py

For every rule that handles Uthmani spelling, the first verses (in Quran order) whose analysis
changes when that rule is switched off: real text on which each rule does its work, so the
engine parity test (tests/test_engines.py) runs every rule in OpenSearch too.  Verses come from
quran-json, as the other Quran fixtures (see tests/fixtures/ATTRIBUTION.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import quran_verses  # noqa: E402
from searcher.arabic import RULES, ArabicAnalyzer  # noqa: E402

PER_RULE = 3
OUT = ROOT / "tests" / "fixtures" / "quran_orthography.txt"


def main() -> None:
    verses = [doc.body for doc in quran_verses()]
    full = ArabicAnalyzer()
    chosen: list[str] = []
    for rule in RULES:
        if not rule.name.startswith("uthmani_"):
            continue
        without = ArabicAnalyzer(disabled={rule.name})
        found = [
            v for v in verses if without.tokens(v, stemmed=False) != full.tokens(v, stemmed=False)
        ]
        chosen += [v for v in found[:PER_RULE] if v not in chosen]
    OUT.write_text("".join(f"{v}\n" for v in chosen), encoding="utf-8")
    print(f"wrote {len(chosen)} verses to {OUT}")


if __name__ == "__main__":
    main()
