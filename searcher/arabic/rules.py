"""The Arabic normalisation rules: ONE table, read by everything else.

The Python normaliser (`normalise.py`), the engine index template (`searcher.mappings`) and the
README's rule table are all generated from `RULES`; nothing else spells a rule out again.

A rule is one of five kinds, in the order the analysis applies them:

- ``pattern``: regular-expression rewrites of the ORIGINAL text that depend on where a word
  starts (the Uthmani vocative يٰقوم is the modern «يا قوم»).  A leading ``^`` in a pattern means
  "at the start of a word"; the analyzer spells it as a look-behind over the characters a word
  is made of.  A replacement keeps the text's length (a space may stand where a mark was), so
  offsets need no correction; in the engine each is a `pattern_replace` char filter before the
  mapping.  Java's and Python's regex engines read these patterns alike (look-around, classes,
  ``\\uXXXX``); replacements use ``\\1``, turned into ``$1`` for the engine.
- ``sequence``: multi-character spellings folded before anything else (Uthmani ``وٰ`` for a
  modern ``ا``).  In the engine these are keys of the same `mapping` char filter; its longest-match
  semantics give them precedence over the single characters, like running them first here.
- ``char``: one character to zero or more characters.  Python runs them as one `str.translate`;
  the engine as a `mapping` char filter (char filters keep offsets into the original text).
- ``lowercase``: Latin (and any cased script) folded to lower case; the engine's `lowercase`.
- ``word``: whole normalised tokens rewritten (Uthmani ``هاذا`` to ``هذا``), also behind the
  proclitics in `PROCLITICS` (``كذالك``, ``فاولاءك``); the engine gets one anchored
  `pattern_replace` token filter per word.  The output is written as standard text spells the
  word (``أولئك``): the analysis folds it like any text, and suggestions show it as it is.

Every rule can be switched off by name (``SEARCHER_ARABIC_DISABLE=hamza_carriers,...``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Literal

RuleKind = Literal["pattern", "sequence", "char", "lowercase", "word"]

# What may stand before a word-rule word: the question's alef, a conjunction, then a
# preposition or the article (كذالك, فاولاءك, بالرحمان, للرحمان, أذالك).  Python's and Java's
# regexes read it alike.
PROCLITICS = r"(?:ا?[وف]?(?:[بك]?ال|لل|[بكل])?)"
# ...and what may follow it: an attached pronoun, or the alef of tanwin (إلٰهٗا, لٰكنّي, إلٰهكم).
ENCLITICS = r"(?:ي|ك|كم|كما|كن|ه|ها|هم|هما|هن|نا|ني|ين|ان|ا)?"


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


TATWEEL, HAMZA_ABOVE, FATHA, KASRA = "\u0640", "\u0654", "\u064e", "\u0650"
_SEAT = TATWEEL + HAMZA_ABOVE  # Uthmani writes a hamza with no seat on a kashida: شيـٔا
_LETTERS = [chr(cp) for cp in (*range(0x0621, 0x063B), *range(0x0641, 0x064B))]


def _hamza_seats() -> dict[str, str]:
    """A hamza on a kashida (followed by its vowel) as the modern seat reads after our rules.

    Modern spelling puts a medial hamza on the seat its vowels ask for: on alef with a fatha
    after a silent letter (يسـَٔلونك → يسألونك), on ya after a kasra or a ya (سيِّـَٔات → سيئات,
    كهيـَٔة → كهيئة) and on waw or ya with its own damma or kasra (مسـُٔولا → مسؤولا).  The
    alef seat becomes ا and the others ء, as `alef_forms` and `hamza_carriers` do to modern
    text; hamza + fatha + alef is the madda آ (فـَٔامنوا → فآمنوا).
    """
    seats = {
        _SEAT: "\u0621",
        _SEAT + FATHA: "\u0627",
        _SEAT + "\u06e1": "\u0627",  # with Quranic sukun: يستـٔۡخرون → يستأخرون
        _SEAT + FATHA + "\u0627": "\u0627",
        KASRA + _SEAT + FATHA: "\u0621",
    }
    for clitic in "\u0628\u0644":  # بـَٔايات, لـَٔادم: the clitic's kasra, then the madda
        seats[clitic + KASRA + _SEAT + FATHA + "\u0627"] = clitic + "\u0627"
    for mark in ("", "\u06e1", "\u0652", "\u0653"):  # after ya (silent or long): ئ
        seats["\u064a" + mark + _SEAT + FATHA] = "\u064a\u0621"
    for tanwin in ("\u064b", "\u0657"):  # after a fatha with tanwin: خطـٔٗا → خطأ, ملجـًٔا → ملجأ
        seats[FATHA + _SEAT + tanwin + "\u0627"] = "\u0627"
    for conjunction in "\u0648\u0641":  # the imperative: فسـَٔل → فاسأل, وسـَٔلوا → واسألوا
        seats[conjunction + FATHA + "\u0633\u06e1" + _SEAT + FATHA] = (
            conjunction + "\u0627\u0633\u0627"
        )
    return seats


# The Uthmani particles يٰ and هٰ written onto the next word: a word-initial ya or ha (after و or
# ف, if any), fatha, maybe a kashida, superscript alef.  `_SPLIT` writes the alef and a space in
# place of the fatha and the superscript alef: «يا» and the word apart, the length unchanged.
_CONJUNCTION = r"(?:[\u0648\u0641]\u064e?)?"
_ALEF_AFTER = r"\u064e(\u0640?)\u0670"
_SPLIT = "\\1\\2\u0627 "

RULES: tuple[Rule, ...] = (
    Rule(
        "uthmani_vocative",
        "pattern",
        "The vocative يٰ (and وَيٰ) joined to the next word is the modern «يا» on its own: "
        "يٰقوم → يا قوم, يٰٓأيها → يا أيها, وَيٰقوم → ويا قوم",
        {rf"^({_CONJUNCTION}\u064a){_ALEF_AFTER}": _SPLIT},
    ),
    Rule(
        "uthmani_ha_before_antum",
        "pattern",
        "The particle هٰ joined to أنتم is the modern «ها» on its own: هٰٓأنتم → ها أنتم",
        {rf"^({_CONJUNCTION}\u0647){_ALEF_AFTER}(?=\u0653\u0623)": _SPLIT},
    ),
    Rule(
        "uthmani_sequences",
        "sequence",
        "Uthmani spellings: superscript alef on waw / alef maksura (صلوٰة → صلاة, هدىٰ → هدى), "
        "hamza before alef where modern text writes madda (ءَامنوا → آمنوا, القرءان → القرآن)",
        {
            "\u0648\u0670": "\u0627",
            "\u0648\u0670\u0627": "\u0627",  # ٱلرِّبَوٰاْ → الربا
            "\u0649\u0670": "\u0649",
            "\u0621\u0627": "\u0627",
            "\u0621\u064e\u0627": "\u0627",
        },
    ),
    Rule(
        "uthmani_hamza_seats",
        "sequence",
        "A hamza on a kashida gets the seat modern spelling gives it: شيـٔا → شيئا, "
        "يسـَٔلونك → يسألونك, سيِّـَٔات → سيئات, فـَٔامنوا → فآمنوا; ya with hamza below → ئ "
        "(امريٕ → امرئ); two hamzas as modern text writes them (أَءِذا → أإذا, ءَأَنتم → أأنتم); "
        "hamza with tanwin before its alef as in the modern سوءا (سوٓءًا)",
        _hamza_seats()
        | {
            "\u064a\u0655": "\u0621",
            _SEAT + FATHA + "\u0670": "\u0627",  # ٱلۡـَٰٔن → الآن
            "\u0621\u064e\u0670": "\u0627",  # hamza, fatha, superscript alef: سوۡءَٰت → سوآت
            "\u0621\u064e\u064a\u06e1": "\u0627\u064a",  # أرءَيۡتم → أرأيتم
            "\u0670\u0653\u0624\u064f\u0627": "\u0627\u0621",  # جزـٰٓؤُا → جزاء
            "\u064e\u0624\u064f\u0627": "\u0627",  # نبَؤُا → نبأ, يبدَؤُا → يبدأ
            "\u0623\u064e\u0621\u0650": "\u0627\u0627",
            "\u0621\u064e\u0623": "\u0627\u0627",
            "\u0621\u0623": "\u0627\u0627",  # the same copied without marks: ءأنذرتهم
            "\u0621\u064b\u0627": "\u0627",
            "\u0621\u0657\u0627": "\u0627",
        },
    ),
    Rule(
        "uthmani_medial_alef_maksura",
        "sequence",
        "Alef maksura with superscript alef inside a word is the modern alef: ضحىٰها → ضحاها, "
        "التورىٰة → التوراة, and so is a bare ى inside a word, as copied without marks (ضحىها); "
        "at the end of a word it stays ى: هدىٰ → هدى",
        {
            maksura + letter: "\u0627" + letter
            for maksura in ("\u0649\u0670", "\u0649")  # ...also as copied without the mark
            for letter in _LETTERS
        },
    ),
    Rule(
        "uthmani_small_ya",
        "sequence",
        "Small letters that are written in modern spelling: ya on a kashida (إبرٰهـۧم → "
        "إبراهيم, النبيـۧن → النبيين), a small waw or ya doubling the letter before it "
        "(يستوُۥن → يستوون, يستحيِۦ → يستحيي), ص with a small sin read as س (يبصۜط → يبسط)",
        {
            TATWEEL + "\u06e7": "\u064a",
            "\u0648\u064f\u06e5": "\u0648\u0648",
            "\u064a\u0650\u06e6": "\u064a\u064a",
            "\u0635\u06dc": "\u0633",
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
        "Whole words the Uthmani script spells its own way, also behind و ف ب ك ل ال: "
        "هاذا → هذا, كذالك → كذلك, أولـٰٓئك → أولئك, هـٰٓؤلاء → هؤلاء, الرحمان → الرحمن, "
        "اليل → الليل (one lam), داوود → داود",
        {
            "هاذا": "هذا",
            "هاذه": "هذه",
            "هاذان": "هذان",
            "ذالك": "ذلك",
            "ذالكم": "ذلكم",
            "ذالكما": "ذلكما",
            "لاكن": "لكن",
            "لاكنا": "لكنا",
            "رحمان": "رحمن",
            "الاه": "إله",
            "اولاءك": "أولئك",
            "هاءلاء": "هؤلاء",
            "اليل": "الليل",
            "الاتي": "اللاتي",
            "داوود": "داود",
            "را": "رأى",
            "الاءي": "اللائي",
            "الذان": "اللذان",
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
