"""Where a character class may skip its astral members (a speed-up for `re`, same answers).

Python's `re` tests a character class that holds ranges beyond U+FFFF range by range, about ten
times slower than a class of BMP characters alone.  Almost every text holds no astral character,
and on such a text a class and its BMP part agree on every position: the hot regexes keep both
and choose per text with `bmp_only`.
"""

from __future__ import annotations

# The first code point UTF-16 writes as two units.
ASTRAL = 0x10000


def bmp_only(text: str) -> bool:
    """No character beyond U+FFFF (UTF-16 needs two units for those, one for every other)."""
    return len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)
