"""README.md's generated parts: each sits between two HTML comment markers.

Tables that describe code (the Arabic rules, the limits) are written from that code, never by
hand: `python -m searcher.arabic.docs` and `python -m searcher.limits_table` rewrite them, and
tests fail when the README is stale.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def with_section(readme: str, begin: str, end: str, body: str) -> str:
    """`readme` with `body` between the `begin` and `end` markers."""
    head, _, rest = readme.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n{body}\n{end}{tail}"


def rewrite(update: Callable[[str], str]) -> None:
    """Apply `update` (README text in, README text out) to README.md and say so."""
    README.write_text(update(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"updated {README}")
