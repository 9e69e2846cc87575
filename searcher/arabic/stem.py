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

from collections.abc import Callable

import regex

MIN_STEM = 3
PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")

RULES: tuple[tuple[str, str], ...] = (
    (r"^[وف](?=(?:بال|كال|لل)\p{L}{2})", ""),
    (rf"^(?:{'|'.join(PREFIXES)})(?=\p{{L}}{{{MIN_STEM}}})", ""),
    *((rf"^(\p{{L}}{{{MIN_STEM},}}?){suffix}$", r"\1") for suffix in SUFFIXES),
    # The alef after a final waw is a spelling convention, not a sound: Uthmani يدعوا and جاءو
    # meet modern يدعو and جاءوا, and قالوا stems like قالو.  Last, so a suffix goes first.
    (r"^(\p{L}{2,}و)ا$", r"\1"),
)
_COMPILED = tuple((regex.compile(pattern), replacement) for pattern, replacement in RULES)
# For each rule, in order, a cheap test every word it can change passes (from the same tables):
# a failed `startswith` costs a tenth of a failed regex search, and most rules fail on a word.
_GUARDS: tuple[Callable[[str], bool], ...] = (
    lambda word: word.startswith(("و", "ف")),
    lambda word: word.startswith(PREFIXES),
    *(lambda word, suffix=suffix: word.endswith(suffix) for suffix in SUFFIXES),
    lambda word: word.endswith("وا"),
)

# A single-letter proclitic ب ل ك (after و/ف, if any): لصندوق, ببيت, وكطالب.  Stripping it outright
# would over-stem (كتاب is not ك + تاب), so the word is indexed TWICE at one position: as written
# and without the letter (the engine's `pattern_capture` filter with `preserve_original`).  The
# query is not split: «بيت» finds «ببيت», and «كتاب» still means كتاب.  Not before the article
# (لل, بال, كال are the stemmer's) and never leaving fewer than three letters.
PROCLITIC = rf"^[وف]?(?:ل(?!ل)|[بك](?!ال))(\p{{L}}{{{MIN_STEM},}})$"
_PROCLITIC = regex.compile(PROCLITIC)


def stem(word: str) -> str:
    """Stem one NORMALISED token (normalise first: the affix table expects bare letters)."""
    for guard, (pattern, replacement) in zip(_GUARDS, _COMPILED, strict=True):
        if guard(word):
            word = pattern.sub(replacement, word)
    return word


def without_proclitic(word: str) -> str | None:
    """`word` without a single-letter proclitic (see `PROCLITIC`), or None if it has none."""
    match = _PROCLITIC.match(word)
    return match.group(1) if match else None
