"""A light Arabic stemmer: strip common clitics and affixes, never the core of short words.

The algorithm is light10 (Larkey, Ballesteros & Connell), the one Lucene ships as
`arabic_stem`, with one change and one addition:

- every stem keeps at least THREE letters (Lucene allows two, which merges القرآن and القرية
  into «قر»);
- a conjunction و/ف in front of بال / كال / لل (وبالمدرسة, فللطلاب) is stripped first.

It is written as DATA: an ordered list of anchored regular-expression rewrites that Python's
`regex` and Java's `java.util.regex` read the same way.  Python runs them here; the engine
template turns each into a `pattern_replace` token filter (``\\1`` becomes ``$1``).  So the
Python and engine stemmers cannot drift apart, and the parity test proves they do not.

Per token, in order: the conjunction rule; then ONE prefix of ال وال بال كال فال لل و (the first
that leaves 3+ letters); then each suffix of ها ان ات ون ين يه ية ه ة ي in turn, each only if 3+
letters remain.
"""

from __future__ import annotations

import regex

MIN_STEM = 3
PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")

RULES: tuple[tuple[str, str], ...] = (
    # The alef after a final waw is a spelling convention, not a sound: Uthmani يدعوا and جاءو
    # meet modern يدعو and جاءوا, and قالوا stems like قالو.
    (r"^(\p{L}{2,}و)ا$", r"\1"),
    (r"^[وف](?=(?:بال|كال|لل)\p{L}{2})", ""),
    (rf"^(?:{'|'.join(PREFIXES)})(?=\p{{L}}{{{MIN_STEM}}})", ""),
    *((rf"^(\p{{L}}{{{MIN_STEM},}}?){suffix}$", r"\1") for suffix in SUFFIXES),
)
_COMPILED = tuple((regex.compile(pattern), replacement) for pattern, replacement in RULES)


def stem(word: str) -> str:
    """Stem one NORMALISED token (normalise first: the affix table expects bare letters)."""
    for pattern, replacement in _COMPILED:
        word = pattern.sub(replacement, word)
    return word
