"""The Arabic analysis, rule by rule: (input, expected) tables with the rule each exercises."""

from __future__ import annotations

import unicodedata

import pytest

from searcher.arabic import RULES, ArabicAnalyzer, Token, normalise, stem, terms, tokens
from tests.conftest import fixture_lines

NORMALISE_CASES = [
    ("أحمد", "احمد"),  # alef_forms: hamza above
    ("إسلام", "اسلام"),  # alef_forms: hamza below
    ("آمن", "امن"),  # alef_forms: madda
    ("ٱلۡكِتَٰبُ", "الكتاب"),  # alef wasla, Quranic sukun, superscript alef, damma
    ("مستشفى", "مستشفي"),  # alef_maksura
    ("المدرسةِ", "المدرسه"),  # teh_marbuta + kasra
    ("مُدَرِّسٌ", "مدرس"),  # harakat: damma, fatha, shadda, kasra, tanwin
    ("كتـــاب", "كتاب"),  # tatweel
    ("ٱلصَّلَوٰةَ", "الصلاه"),  # uthmani_sequences: waw + superscript alef is a modern alef
    ("هُدٗى", "هدي"),  # quranic_marks (open tanwin U+0657) + alef_maksura
    ("ءَامَنُواْ", "امنوا"),  # uthmani_sequences: hamza + alef is the modern madda آ
    ("ٱلۡقُرۡءَانُ", "القران"),  # uthmani_sequences inside a word: القرآن
    ("مسؤول", "مسءول"),  # hamza_carriers
    ("مسئول", "مسءول"),  # hamza_carriers: both spellings meet
    ("٢٠٢٥", "2025"),  # digits: Arabic-Indic
    ("۱۴۰۳", "1403"),  # digits: Persian
    ("ﻻ", "لا"),  # presentation_forms: lam-alef ligature
    ("ﺍﻟﻌﺮﺑﻴﺔ", "العربيه"),  # presentation_forms: positional glyphs
    ("کتاب", "كتاب"),  # persian_letters: keheh
    ("عر\u200cبي", "عربي"),  # invisible_marks: zero-width non-joiner inside a word
    ("\u202bمرحبا\u202c", "مرحبا"),  # invisible_marks: bidi embedding
    ("Trump ترامب", "trump ترامب"),  # lowercase
    ("يَٰقَوۡمِ", "يا قوم"),  # uthmani_vocative: يٰقوم is «يا قوم»
    ("يَـٰٓأَيُّهَا", "يا ايها"),  # uthmani_vocative before a hamza: يٰٓأيها
    ("هَـٰٓأَنتُمۡ", "ها انتم"),  # uthmani_ha_before_antum
    ("شَيۡـٔٗا", "شيءا"),  # uthmani_hamza_seats: شيـٔا is شيئا
    ("يَسۡـَٔلُونَكَ", "يسالونك"),  # uthmani_hamza_seats: on alef after a silent letter
    ("ٱلسَّيِّـَٔاتِ", "السيءات"),  # uthmani_hamza_seats: on ya after a kasra
    ("بِـَٔايَٰتِنَا", "باياتنا"),  # uthmani_hamza_seats: the clitic ب before the madda
    ("ضُحَىٰهَا", "ضحاها"),  # uthmani_medial_alef_maksura
    ("إِبۡرَٰهِـۧمَ", "ابراهيم"),  # uthmani_small_ya
    ("دَاوُۥدُ", "داوود"),  # uthmani_small_ya: the small waw doubles the waw
]


@pytest.mark.parametrize(("text", "expected"), NORMALISE_CASES)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


TERM_CASES = [
    ("ٱلۡكِتَٰبُ", ["كتاب"]),  # the Quranic spelling meets the modern one...
    ("الكتاب", ["كتاب"]),  # ...after the article is stripped
    ("والمدارس", ["مدارس"]),  # prefix وال
    ("وبالمدرسة", ["مدرس"]),  # conjunction before بال (the pre-rule), then ة
    ("فللطلاب", ["طلاب"]),  # conjunction before لل
    ("استثمارات", ["استثمار"]),  # plural suffix ات
    ("المعلمون", ["معلم"]),  # ال + ون
    ("كتابها", ["كتاب"]),  # pronoun suffix ها
    ("ولد", ["ولد"]),  # too short for the و prefix: not over-stemmed
    ("بيت", ["بيت"]),  # three letters stay whole
    ("ذهب الطلاب إلى المدرسة", ["ذهب", "طلاب", "مدرس"]),  # stop word إلى dropped
    ("ٱلرَّحۡمَٰنِ", ["رحمن"]),  # uthmani_words: الرحمان is the modern الرحمن
    ("الرحمن", ["رحمن"]),
    ("ذَٰلِكَ", []),  # uthmani_words makes ذالك the stop word ذلك
    ("كَذَٰلِكَ", ["كذلك"]),  # uthmani_words behind a proclitic: كذٰلك
    ("فَأُوْلَـٰٓئِكَ", ["فاولءك"]),  # uthmani_words: فأولـٰٓئك is فأولئك
    ("وَلَٰكِنَّ", ["لكن"]),  # uthmani_words behind و
    ("ٱلَّيۡلِ", ["ليل"]),  # uthmani_words: ٱلَّيۡل has one lam
    ("والليل", ["ليل"]),  # ...as the modern spelling
    ("يَدۡعُوٓاْ", ["يدعو"]),  # stem: the alef after a final waw
    ("يدعو", ["يدعو"]),  # ...as the modern spelling
]


@pytest.mark.parametrize(("text", "expected"), TERM_CASES)
def test_search_terms(text: str, expected: list[str]) -> None:
    assert terms(text, stack=False) == expected


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("لصندوق", ["لصندوق", "صندوق"]),  # ل: the word also without it, at the same position
        ("ببيت", ["ببيت", "بيت"]),  # ب, three letters left
        ("وكطالب", ["كطالب", "طالب"]),  # و then ك
        ("بدر", ["بدر"]),  # two letters would be left: never split
        ("للعمل", ["عمل"]),  # ل before the article: the stemmer's prefix لل
        ("بالمدرسة", ["مدرس"]),  # ب before the article: the stemmer's prefix بال
    ],
)
def test_single_letter_proclitics_are_indexed_both_ways(text: str, indexed: list[str]) -> None:
    tokens_ = tokens(text)
    assert [t.term for t in tokens_] == indexed
    assert {(t.start, t.end, t.position) for t in tokens_} == {(0, len(text), 0)}
    # The query is not split: «كتاب» keeps meaning كتاب, and «بيت» finds «ببيت» above.
    assert terms(text, stack=False) == indexed[:1]


def test_exact_terms_keep_stop_words_and_affixes() -> None:
    assert terms("ذهب إلى المدرسةِ", stemmed=False) == ["ذهب", "الي", "المدرسه"]


def test_offsets_point_into_the_original_text() -> None:
    text = "يقرأُ ٱلۡكِتَٰبَ في المدرسةِ"
    found = tokens(text)
    originals = [text[t.start : t.end] for t in found]
    assert originals == ["يقرأُ", "ٱلۡكِتَٰبَ", "المدرسةِ"]
    assert [t.term for t in found] == ["يقرا", "كتاب", "مدرس"]
    # The stop word في leaves a gap in the positions, as the engines' stop filter does.
    assert [t.position for t in found] == [0, 1, 3]


def test_leading_invisible_mark_is_outside_the_token() -> None:
    text = "\u200fكتاب"
    (token,) = tokens(text, stack=False)
    assert (token.start, token.end) == (1, 5)


def test_kashida_and_joiners_do_not_split_words() -> None:
    assert terms("مـــدرســـة", stemmed=False) == ["مدرسه"]
    assert len(tokens("عر\u200dبي")) == 1


def test_a_ligature_expanding_to_several_words_gives_several_tokens() -> None:
    # ﷺ (U+FDFA) is NFKC "صلى الله عليه وسلم": four words from one character.
    assert terms("محمد ﷺ", stemmed=False) == ["محمد", "صلي", "الله", "عليه", "وسلم"]


@pytest.mark.parametrize("rule", [r.name for r in RULES])
def test_every_rule_can_be_switched_off(rule: str) -> None:
    sample = {
        "uthmani_sequences": "ٱلصَّلَوٰةَ",
        "alef_forms": "أحمد",
        "alef_maksura": "مستشفى",
        "teh_marbuta": "مدرسة",
        "harakat": "مُدَرِّسٌ",
        "superscript_alef": "كِتَٰب",
        "quranic_marks": "ٱلۡكِتَٰبُ",
        "tatweel": "كتـاب",
        "hamza_carriers": "مسؤول",
        "persian_letters": "کتاب",
        "digits": "٢٠٢٥",
        "presentation_forms": "ﻻ",
        "invisible_marks": "عر\u200cبي",
        "lowercase": "Trump",
        "uthmani_words": "هَٰذَا",
        "uthmani_vocative": "يَٰقَوۡمِ",
        "uthmani_ha_before_antum": "هَـٰٓأَنتُمۡ",
        "uthmani_hamza_seats": "شَيۡـٔٗا",
        "uthmani_medial_alef_maksura": "ضُحَىٰهَا",
        "uthmani_small_ya": "إِبۡرَٰهِـۧمَ",
    }[rule]
    on, off = ArabicAnalyzer(), ArabicAnalyzer(disabled={rule})
    assert on.terms(sample, stemmed=False) != off.terms(sample, stemmed=False)


def test_unknown_rule_names_are_an_error() -> None:
    with pytest.raises(ValueError, match="unknown Arabic rule"):
        ArabicAnalyzer(disabled={"no_such_rule"})


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("المدرسه", "مدرس"),  # ال + ه
        ("والكتاب", "كتاب"),  # وال
        ("كالبدر", "بدر"),  # كال
        ("للعمل", "عمل"),  # لل
        ("وقال", "قال"),  # و on a 4-letter word
        ("وجد", "وجد"),  # و kept on a 3-letter word
        ("ال", "ال"),  # nothing left to strip to
        ("مهندسين", "مهندس"),  # ين
        ("بيتي", "بيت"),  # ي
    ],
)
def test_light_stemmer(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_exact_tokens_keep_every_word_with_its_offsets_and_position() -> None:
    text = "\u200fذهب إلى المدرسةِ"
    found = tokens(text, stemmed=False)
    assert found == [
        Token("ذهب", 1, 4, 0),  # the leading RLM is outside the token
        Token("الي", 5, 8, 1),
        Token("المدرسه", 9, 17, 2),
    ]


def test_spans_start_after_deleted_characters() -> None:
    analyzer = ArabicAnalyzer()
    text = "قرأ \u200f\u200fالكتاب"
    assert analyzer.spans(text, lambda stemmed, exact: stemmed == "كتاب") == [(6, 12)]
    assert analyzer.spans(text, lambda stemmed, exact: exact == "الكتاب") == [(6, 12)]
    assert analyzer.spans(text, lambda stemmed, exact: stemmed is None) == []


@pytest.mark.parametrize("fixture", ["quran_sample.txt", "news_ar.txt"])
def test_the_indexing_fast_path_makes_the_same_terms(fixture: str) -> None:
    # term_lists (stdlib re, every combining mark in its class) must agree with analyse on
    # real text, Quranic marks and all.
    analyzer = ArabicAnalyzer()
    for line in fixture_lines(fixture):
        assert analyzer.term_lists(line) == (terms(line), terms(line, stemmed=False)), line


def test_the_fast_path_keeps_every_combining_mark_inside_a_word() -> None:
    analyzer = ArabicAnalyzer()
    planes = (*range(0x300, 0x20000), *range(0xE0100, 0xE01F0))  # variation selectors too
    marks = [chr(cp) for cp in planes if unicodedata.category(chr(cp)).startswith("M")]
    for mark in marks:
        _, exact = analyzer.term_lists(f"كتب{mark}ها")
        assert len(exact) == 1, f"U+{ord(mark):04X} splits the word"
