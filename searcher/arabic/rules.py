"""The Arabic normalisation rules: ONE table, read by everything else.

The Python normaliser (`normalise.py`), the engine index template (`searcher.mappings`) and the
README's rule table are all generated from `RULES`; nothing else spells a rule out again.

A rule is one of four kinds, in the order the analysis applies them:

- ``sequence``: multi-character spellings folded before anything else (Uthmani ``وٰ`` for a
  modern ``ا``).  In the engine these are keys of the same `mapping` char filter; its longest-match
  semantics give them precedence over the single characters, like running them first here.
- ``char``: one character to zero or more characters.  Python runs them as one `str.translate`;
  the engine as a `mapping` char filter (char filters keep offsets into the original text).
- ``lowercase``: Latin (and any cased script) folded to lower case; the engine's `lowercase`.
- ``word``: whole normalised tokens rewritten (Uthmani ``هاذا`` to ``هذا``); the engine gets one
  anchored `pattern_replace` token filter per word.

Every rule can be switched off by name (``SEARCHER_ARABIC_DISABLE=hamza_carriers,...``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

RuleKind = Literal["sequence", "char", "lowercase", "word"]


@dataclass(frozen=True)
class Rule:
    """One named normalisation rule.  `mapping` goes from what the text has to what we index."""

    name: str
    kind: RuleKind
    description: str
    mapping: dict[str, str] = field(default_factory=dict)
    # Characters that merely carry pronunciation are deleted; the camel-tools chain has an
    # equivalent for the rules marked here (see tests/test_camel_agreement.py).
    camel_equivalent: bool = False


def _delete(*ranges: tuple[int, int]) -> dict[str, str]:
    """Map every code point in the inclusive ranges to nothing."""
    return {chr(cp): "" for lo, hi in ranges for cp in range(lo, hi + 1)}


def _digits(zero: int) -> dict[str, str]:
    return {chr(zero + i): str(i) for i in range(10)}


def _presentation_forms() -> dict[str, str]:
    """Arabic presentation forms (ligatures and positional glyphs) to their NFKC letters."""
    folded = {}
    for lo, hi in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF)):
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)
            if nfkc != ch and unicodedata.category(ch) != "Cn":
                folded[ch] = nfkc
    folded.pop("\ufeff", None)  # the BOM is a zero-width character, handled by its own rule
    return folded


RULES: tuple[Rule, ...] = (
    Rule(
        "uthmani_sequences",
        "sequence",
        "Uthmani spellings: superscript alef on waw / alef maksura (صلوٰة → صلاة, هدىٰ → هدى), "
        "hamza before alef where modern text writes madda (ءَامنوا → آمنوا, القرءان → القرآن)",
        {
            "\u0648\u0670": "\u0627",
            "\u0649\u0670": "\u0649",
            "\u0621\u0627": "\u0627",
            "\u0621\u064e\u0627": "\u0627",
        },
    ),
    Rule(
        "alef_forms",
        "char",
        "Alef with hamza above/below, madda and wasla, wavy hamza: آ أ إ ٱ ٲ ٳ → ا",
        {ch: "\u0627" for ch in "\u0622\u0623\u0625\u0671\u0672\u0673"},
        camel_equivalent=True,
    ),
    Rule(
        "alef_maksura",
        "char",
        "Alef maksura → ya: ى → ي",
        {"\u0649": "\u064a"},
        camel_equivalent=True,
    ),
    Rule(
        "teh_marbuta",
        "char",
        "Ta marbuta → ha: ة → ه",
        {"\u0629": "\u0647"},
        camel_equivalent=True,
    ),
    Rule(
        "harakat",
        "char",
        "Short vowels, tanwin, shadda and sukun removed (U+064B–U+0652)",
        _delete((0x064B, 0x0652)),
        camel_equivalent=True,
    ),
    Rule(
        "superscript_alef",
        "char",
        "Superscript (dagger) alef → alef: كِتَٰب → كتاب (camel-tools deletes it instead)",
        {"\u0670": "\u0627"},
    ),
    Rule(
        "quranic_marks",
        "char",
        "Quranic annotation and extended marks removed: small high letters, pause signs, "
        "Quranic sukun ۡ, madda ٓ, combining hamza ٔ ٕ (U+0610–U+061A, U+0653–U+065F, "
        "U+06D6–U+06ED, U+08D3–U+08FF)",
        _delete((0x0610, 0x061A), (0x0653, 0x065F), (0x06D6, 0x06ED), (0x08D3, 0x08FF)),
    ),
    Rule(
        "tatweel",
        "char",
        "Tatweel (kashida) removed: كتـــاب → كتاب (camel-tools keeps it)",
        {"\u0640": ""},
    ),
    Rule(
        "hamza_carriers",
        "char",
        "Hamza on waw / ya written as a bare hamza, so مسؤول and مسئول meet: ؤ ئ → ء",
        {"\u0624": "\u0621", "\u0626": "\u0621"},
    ),
    Rule(
        "persian_letters",
        "char",
        "Persian/Urdu letter shapes to Arabic: ک → ك, ی → ي, ہ ە → ه",
        {"\u06a9": "\u0643", "\u06cc": "\u064a", "\u06c1": "\u0647", "\u06d5": "\u0647"},
    ),
    Rule(
        "digits",
        "char",
        "Arabic-Indic ٠-٩ and Persian ۰-۹ digits → 0-9",
        _digits(0x0660) | _digits(0x06F0),
    ),
    Rule(
        "presentation_forms",
        "char",
        "Presentation forms and ligatures (U+FB50–U+FDFF, U+FE70–U+FEFE) → letters (NFKC): ﻻ → لا",
        _presentation_forms(),
    ),
    Rule(
        "invisible_marks",
        "char",
        "Bidi controls, zero-width (non-)joiners, soft hyphen and BOM removed, so they never split "
        "or hide a word",
        _delete((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0x061C, 0x061C))
        | {"\u00ad": "", "\ufeff": ""},
    ),
    Rule("lowercase", "lowercase", "Latin (and any cased script) folded to lower case"),
    Rule(
        "uthmani_words",
        "word",
        "Whole words the Uthmani script spells with an extra alef: هاذا → هذا, ذالك → ذلك, "
        "الرحمان → الرحمن",
        {
            "هاذا": "هذا",
            "هاذه": "هذه",
            "هاذان": "هذان",
            "ذالك": "ذلك",
            "ذالكم": "ذلكم",
            "لاكن": "لكن",
            "الرحمان": "الرحمن",
            "رحمان": "رحمن",
            "الاه": "اله",
        },
    ),
)

RULES_BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def select(disabled: frozenset[str] | set[str] = frozenset()) -> tuple[Rule, ...]:
    """The enabled rules, in table order.  Unknown names are an error, not a silent no-op."""
    unknown = set(disabled) - RULES_BY_NAME.keys()
    if unknown:
        raise ValueError(
            f"unknown Arabic rule(s) {sorted(unknown)}; known: {', '.join(RULES_BY_NAME)}"
        )
    return tuple(rule for rule in RULES if rule.name not in disabled)
