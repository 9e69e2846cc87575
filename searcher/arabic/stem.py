"""A light Arabic stemmer: strip common clitics and affixes, never the core of short words.

The algorithm is Lucene's `ArabicStemmer` (Larkey, Ballesteros & Connell's "light10"), because the
engines carry it as the built-in `arabic_stem` token filter: Python and every engine then stem the
same way by construction, and the parity test checks it.  It strips ONE prefix of
ال وال بال كال فال لل و (و only from words of 4+ letters) and then each suffix of
ها ان ات ون ين يه ية ه ة ي in turn, each only while 2+ letters remain.

One addition, expressible in the engines as an anchored `pattern_replace` filter placed before
`arabic_stem`: a conjunction و/ف in front of بال / كال / لل (وبالمدرسة, فللطلاب), which light10
leaves glued on.
"""

from __future__ import annotations

import regex

PREFIXES: tuple[str, ...] = ("ال", "وال", "بال", "كال", "فال", "لل", "و")
SUFFIXES: tuple[str, ...] = ("ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي")

# (pattern, replacement) applied to the whole token before light10.  Java and Python regex
# agree on this syntax; the template generator copies these strings verbatim.
PRE_RULES: tuple[tuple[str, str], ...] = ((r"^[وف](?=(?:بال|كال|لل)\p{L}{2})", ""),)
_COMPILED_PRE_RULES = tuple((regex.compile(p), r) for p, r in PRE_RULES)


def _strip_prefix(word: str) -> str:
    for prefix in PREFIXES:
        min_len = 4 if len(prefix) == 1 else len(prefix) + 2
        if len(word) >= min_len and word.startswith(prefix):
            return word[len(prefix) :]
    return word


def _strip_suffixes(word: str) -> str:
    for suffix in SUFFIXES:
        if len(word) >= len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
    return word


def stem(word: str) -> str:
    """Stem one NORMALISED token (normalise first: the affix table expects bare letters)."""
    for pattern, replacement in _COMPILED_PRE_RULES:
        word = pattern.sub(replacement, word)
    return _strip_suffixes(_strip_prefix(word))
