"""Every entry of the Arabic rule table, checked against an expectation that is NOT the table.

Python and the engine template both read `searcher/arabic/rules.py`, so the engine parity test
cannot see an entry that is missing from the table: both sides lose it together.  Here every
expectation comes from somewhere else: the Unicode character database (names, categories, bidi
classes, decimal values, NFKC), the ranges the README promises, or Arabic words written out by
hand.  The last test checks the other direction: every entry of the table is claimed by one of
these expectations, so a new entry must arrive with an expectation of its own.
"""

from __future__ import annotations

import unicodedata

import pytest

from searcher.arabic import DEFAULT, normalise, terms

ARABIC_BLOCK = range(0x0600, 0x0700)
BMP = range(0x10000)


def _char(name: str) -> str:
    return unicodedata.lookup(name)


def _named(name: str) -> str:
    return unicodedata.name(name, f"U+{ord(name):04X}") if len(name) == 1 else name


# -- expectations from Unicode names ---------------------------------------------------------

# The letters the README's rules fold, by their Unicode names.
LETTERS_BY_NAME: dict[str, str] = {
    "ARABIC LETTER ALEF MAKSURA": "ARABIC LETTER YEH",  # alef_maksura
    "ARABIC LETTER TEH MARBUTA": "ARABIC LETTER HEH",  # teh_marbuta
    "ARABIC LETTER SUPERSCRIPT ALEF": "ARABIC LETTER ALEF",  # superscript_alef
    "ARABIC LETTER WAW WITH HAMZA ABOVE": "ARABIC LETTER HAMZA",  # hamza_carriers
    "ARABIC LETTER YEH WITH HAMZA ABOVE": "ARABIC LETTER HAMZA",  # hamza_carriers
    "ARABIC LETTER KEHEH": "ARABIC LETTER KAF",  # persian_letters
    "ARABIC LETTER FARSI YEH": "ARABIC LETTER YEH",  # persian_letters
    "ARABIC LETTER HEH GOAL": "ARABIC LETTER HEH",  # persian_letters
    "ARABIC LETTER AE": "ARABIC LETTER HEH",  # persian_letters
}


def _alef_forms() -> dict[str, str]:
    """alef_forms: every "ARABIC LETTER ALEF WITH …" of the Arabic block, and alef wasla."""
    alef = _char("ARABIC LETTER ALEF")
    return {
        chr(cp): alef
        for cp in ARABIC_BLOCK
        if unicodedata.name(chr(cp), "").startswith("ARABIC LETTER ALEF WITH ")
        or unicodedata.name(chr(cp), "") == "ARABIC LETTER ALEF WASLA"
    }


def _letters() -> dict[str, str]:
    return {_char(name): _char(out) for name, out in LETTERS_BY_NAME.items()}


# -- expectations from Unicode categories and the README's ranges ----------------------------

# quranic_marks, as the README states them: every code point in these ranges is deleted.
QURANIC_RANGES = ((0x0610, 0x061A), (0x0653, 0x065F), (0x06D6, 0x06ED), (0x08D3, 0x08FF))
# The only code points in those ranges that are not combining marks: Quranic signs and letters
# written small above the line, deleted all the same.
QURANIC_NON_MARKS = {
    "ARABIC END OF AYAH",
    "ARABIC START OF RUB EL HIZB",
    "ARABIC SMALL WAW",
    "ARABIC SMALL YEH",
    "ARABIC PLACE OF SAJDAH",
    "ARABIC DISPUTED END OF AYAH",
}


def _deleted_marks() -> dict[str, str]:
    """harakat (U+064B–U+0652) and the Quranic ranges; tatweel."""
    harakat = {chr(cp): "" for cp in range(0x064B, 0x0653)}
    quranic = {chr(cp): "" for lo, hi in QURANIC_RANGES for cp in range(lo, hi + 1)}
    return harakat | quranic | {_char("ARABIC TATWEEL"): ""}


# invisible_marks: Unicode's explicit bidi formatting characters (by bidi class), the three
# implicit directional marks, the zero-width characters, and the soft hyphen.
EXPLICIT_BIDI_CLASSES = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
INVISIBLE_NAMES = {"LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK", "SOFT HYPHEN"}


def _invisible() -> dict[str, str]:
    found = {}
    for cp in BMP:
        ch = chr(cp)
        if unicodedata.category(ch) != "Cf":
            continue
        name = unicodedata.name(ch, "")
        if (
            unicodedata.bidirectional(ch) in EXPLICIT_BIDI_CLASSES
            or name in INVISIBLE_NAMES
            or name.startswith("ZERO WIDTH ")
        ):
            found[ch] = ""
    return found


def _digits() -> dict[str, str]:
    """digits: every decimal digit of the Arabic block (Arabic-Indic and Persian) → 0-9."""
    return {
        chr(cp): str(unicodedata.decimal(chr(cp)))
        for cp in ARABIC_BLOCK
        if unicodedata.category(chr(cp)) == "Nd"
    }


def _presentation_forms() -> dict[str, str]:
    """presentation_forms: each form is indexed as the letters Unicode says it stands for.

    The expected output is the analysis of its NFKC letters, so ﻷ (lam with alef with hamza)
    must come out as «لا», exactly as the two letters لأ typed separately do.
    """
    found = {}
    for lo, hi in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFE)):
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            letters = unicodedata.normalize("NFKC", ch)
            if unicodedata.category(ch) != "Cn" and letters != ch:
                found[ch] = normalise(letters)
    return found


def _lowercase() -> dict[str, str]:
    return {ch: ch.lower() for ch in "ABCXYZÄÉΩЖ"}


EXPECTED: dict[str, tuple[str, str]] = {}
for _why, _table in (
    ("alef form", _alef_forms()),
    ("letter by name", _letters()),
    ("combining or Quranic mark", _deleted_marks()),
    ("invisible format character", _invisible()),
    ("digit", _digits()),
    ("presentation form", _presentation_forms()),
    ("cased letter", _lowercase()),
):
    for _ch, _out in _table.items():
        EXPECTED.setdefault(_ch, (_out, _why))


def _case_id(ch: str) -> str:
    return f"U+{ord(ch):04X} {_named(ch)}"


@pytest.mark.parametrize("ch", sorted(EXPECTED), ids=_case_id)
def test_every_character_folds_as_unicode_says(ch: str) -> None:
    expected, why = EXPECTED[ch]
    assert normalise(ch) == expected, f"{why}: {_case_id(ch)}"
    # Inside a word too: a deleted character must neither split the word nor leave a trace.
    # (A bare alef maksura inside a word is an alef: see the medial alef maksura test below.)
    inside = ALEF if ch == ALEF_MAKSURA else expected
    assert normalise(f"كتب{ch}ها") == f"كتب{inside}ها"


def test_the_generated_expectations_cover_what_the_readme_lists() -> None:
    # The generators above must not quietly come out empty (a renamed Unicode name, say).
    names = {unicodedata.name(ch, "") for ch in EXPECTED}
    assert {
        "ARABIC LETTER ALEF WITH MADDA ABOVE",
        "ARABIC LETTER ALEF WITH HAMZA ABOVE",
        "ARABIC LETTER ALEF WITH HAMZA BELOW",
        "ARABIC LETTER ALEF WASLA",
        "ARABIC LETTER ALEF WITH WAVY HAMZA ABOVE",
        "ARABIC LETTER ALEF WITH WAVY HAMZA BELOW",
        "LEFT-TO-RIGHT ISOLATE",
        "POP DIRECTIONAL ISOLATE",
        "RIGHT-TO-LEFT EMBEDDING",
        "ARABIC LETTER MARK",
        "ZERO WIDTH NO-BREAK SPACE",
        "SOFT HYPHEN",
        "EXTENDED ARABIC-INDIC DIGIT NINE",
        "ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM",
        "ARABIC SMALL HIGH WAW",  # U+08F3, in the U+08D3–U+08FF range
    } <= names
    assert len(_presentation_forms()) > 700


@pytest.mark.parametrize("lo_hi", QURANIC_RANGES, ids=lambda r: f"U+{r[0]:04X}-U+{r[1]:04X}")
def test_the_quranic_ranges_hold_marks_and_named_quranic_signs(lo_hi: tuple[int, int]) -> None:
    # What the README's ranges contain, by Unicode category: combining marks, plus a few signs.
    for cp in range(lo_hi[0], lo_hi[1] + 1):
        ch = chr(cp)
        assert unicodedata.category(ch) == "Mn" or unicodedata.name(ch) in QURANIC_NON_MARKS


# -- sequences and whole words: hand-written Quranic spellings -------------------------------

SEQUENCE_CASES = [
    ("هُدَىٰ", "هدي"),  # ىٰ: alef maksura with superscript alef is one ى, not ى + ا
    ("مُوسَىٰ", "موسي"),  # ىٰ
    ("عَلَىٰ", "علي"),  # ىٰ
    ("ٱلصَّلَوٰةَ", "الصلاه"),  # وٰ: waw with superscript alef is an alef
    ("ٱلزَّكَوٰةَ", "الزكاه"),  # وٰ
    ("ءَامَنُواْ", "امنوا"),  # ءَا: hamza, fatha, alef is the modern آ
    ("القرءان", "القران"),  # ءا without the fatha
    # Hamza seats, small letters and two hamzas (uthmani_hamza_seats, uthmani_small_ya).
    ("ءأنذرتهم", "اانذرتهم"),  # ءأنذرتهم: two hamzas as modern text writes them
    ("ءَأَنتُمۡ", "اانتم"),  # ءَأَنتم → أأنتم
    ("أَءِذَا", "ااذا"),  # أَءِذا → أإذا
    ("أَرَءَيۡتُم", "ارايتم"),  # أرءَيۡتم → أرأيتم
    ("سَوۡءَٰتُهُمَا", "سواتهما"),  # سوۡءَٰتهما → سوآتهما
    ("سُوٓءًا", "سوا"),  # سوٓءًا: tanwin on the hamza before its alef
    ("جُزۡءٗا", "جزا"),  # جُزۡءٗا: the same with the open tanwin
    ("يَبۡصُۜطُ", "يبسط"),  # يبصۜط: ص with a small sin is س
    ("ٱلۡـَٰٔنَ", "الان"),  # ٱلۡـَٰٔن → الآن
    ("يَسۡتَـٔۡخِرُونَ", "يستاخرون"),  # يستـٔۡخرون → يستأخرون
    ("فَسۡـَٔلِ", "فاسال"),  # فَسۡـَٔلِ → فاسأل
    ("وَسۡـَٔلُواۡ", "واسالوا"),  # وَسۡـَٔلُواْ → واسألوا
    ("لِـَٔادَمَ", "لادم"),  # لِـَٔادم → لآدم
    ("ٱلرِّبَوٰاۡ", "الربا"),  # ٱلرِّبَوٰاْ → الربا
    ("كَهَيۡـَٔةِ", "كهيءه"),  # كَهَيۡـَٔةِ → كهيئة
    ("كَهَيْـَٔةِ", "كهيءه"),  # the same with the common sukun
    ("كَهَيـَٔةِ", "كهيءه"),  # the same without a sukun
    ("خَطِيٓـَٔاتِ", "خطيءات"),  # خَطِيٓـَٔاتِ → خطيئات
    ("يَسۡتَحۡيِۦ", "يستحيي"),  # يستحيِۦ → يستحيي
    ("ٱمۡرِيٕ", "امرء"),  # ٱمۡرِيٕ → امرئ
    ("نَبَؤُاۡ", "نبا"),  # نبَؤُاْ → نبأ
    ("مَلۡجَـًٔا", "ملجا"),  # ملجَـًٔا → ملجأ
    ("خَطَـٔٗا", "خطا"),  # خَطَـٔٗا → خطأ
    ("جَزَـٰٓؤُاۡ", "جزاء"),  # جزـٰٓؤُاْ → جزاء
    ("بِـَٔايَٰتِنَا", "باياتنا"),  # بِـَٔايَٰتِنَا → بآياتنا
    ("إِبۡرَٰهِـۧمَ", "ابراهيم"),  # إِبۡرَٰهِـۧمَ → إبراهيم
    ("يَسۡتَوُۥنَ", "يستوون"),  # يستوُۥن → يستوون
]


@pytest.mark.parametrize(("text", "expected"), SEQUENCE_CASES)
def test_uthmani_sequences(text: str, expected: str) -> None:
    assert normalise(text) == expected


ALEF, ALEF_MAKSURA = _char("ARABIC LETTER ALEF"), _char("ARABIC LETTER ALEF MAKSURA")
SUPERSCRIPT_ALEF = _char("ARABIC LETTER SUPERSCRIPT ALEF")
# The 36 letters of the Arabic alphabet proper, hamza to ya, without the tatweel between them.
BASIC_LETTERS = [chr(cp) for cp in (*range(0x0621, 0x063B), *range(0x0641, 0x064B))]
MEDIAL_MAKSURA = [
    maksura + letter
    for maksura in (ALEF_MAKSURA + SUPERSCRIPT_ALEF, ALEF_MAKSURA)
    for letter in BASIC_LETTERS
]


@pytest.mark.parametrize("pair", MEDIAL_MAKSURA, ids=lambda pair: _named(pair[-1]))
def test_alef_maksura_inside_a_word_is_an_alef(pair: str) -> None:
    # ضحىٰها → ضحاها, as copied without the mark ضحىها; the letter after it folds as alone.
    letter = pair[-1]
    assert normalise(f"ضح{pair}") == f"ضح{ALEF}{normalise(letter)}"


WORD_CASES = [
    ("هَٰذَا", "هذا"),
    ("هَٰذِهِۦ", "هذه"),
    ("هَٰذَانِ", "هذان"),
    ("ذَٰلِكَ", "ذلك"),
    ("ذَٰلِكُمۡ", "ذلكم"),
    ("لَٰكِنَّ", "لكن"),
    ("ٱلرَّحۡمَٰنِ", "الرحمن"),
    ("رَحۡمَٰنٖ", "رحمن"),
    ("إِلَٰهَ", "اله"),  # الاه: «god» as the Uthmani text spells it
    ("\u0671\u0644\u0651\u064e\u0670\u0653\u0640\u0654\u0650\u064a", "اللاءي"),  # ٱلَّٰٓـِٔي
    ("ٱلَّٰتِي", "اللاتي"),
    ("ٱلَّذَانِ", "اللذان"),
    ("ٱلَّيۡلِ", "الليل"),  # one lam in the Uthmani text
    ("أُوْلَـٰٓئِكَ", "اولءك"),
    ("ذَٰلِكُمَا", "ذلكما"),
    ("لَّٰكِنَّا", "لكنا"),
    ("هَـٰٓؤُلَآءِ", "هءلاء"),
    ("دَاوُۥدَ", "داود"),  # the small waw doubles the waw, the word rule undoes it
    ("رَءَا", "راي"),  # «saw» (رأى)
]


@pytest.mark.parametrize(("text", "expected"), WORD_CASES)
def test_uthmani_words(text: str, expected: str) -> None:
    assert terms(text, stemmed=False) == [expected]


def test_ilah_is_not_stemmed_into_another_word() -> None:
    # Without the الاه rule the stemmer takes «الاه» for «الا» + ه.
    assert terms("لَآ إِلَٰهَ إِلَّا هُوَ") == ["اله"]  # لا, إلا and هو are stop words


# -- the other direction: nothing in the table goes unchecked --------------------------------


def test_every_table_entry_has_an_independent_expectation() -> None:
    """A new rule entry needs an expectation above (from Unicode, or written by hand)."""
    mapping = DEFAULT.mapping()
    chars = {key for key in mapping if len(key) == 1}
    sequences = {key for key in mapping if len(key) > 1}
    assert sorted(map(_case_id, chars - EXPECTED.keys())) == []
    written = [text for text, _ in SEQUENCE_CASES] + MEDIAL_MAKSURA
    assert [s for s in sequences if not any(s in text for text in written)] == []
    # A word rule also applies behind a proclitic (ال of الرحمان): a case may carry one.
    words = [normalise(text) for text, _ in WORD_CASES]
    assert [w for w in sorted(DEFAULT.word_rules) if not any(w in text for text in words)] == []
