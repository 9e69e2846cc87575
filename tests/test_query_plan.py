"""The query parser's plan, clause by clause: kinds, fields, the terms each field is asked for,
and what a snippet should mark."""

from __future__ import annotations

from searcher.arabic import ArabicAnalyzer
from searcher.limits import PARSE_MAX_QUERY_CHARS
from searcher.query import EXACT_FIELDS, WORD_FIELDS, Clause, HighlightTerms, highlight_terms, parse

ANALYZER = ArabicAnalyzer()


def test_a_word_is_stemmed_for_the_stemmed_fields_and_exact_for_the_exact_ones() -> None:
    plan = parse("الكتاب", ANALYZER)
    assert plan.text == "الكتاب"
    (group,) = plan.groups
    assert group == [Clause("word", "الكتاب", ("كتاب",), ("الكتاب",))]
    (clause,) = group
    assert clause.fields() == WORD_FIELDS
    assert clause.terms_for("title") == clause.terms_for("body") == ("كتاب",)
    assert clause.terms_for("title.exact") == clause.terms_for("body.exact") == ("الكتاب",)


def test_quotes_mean_as_written() -> None:
    (phrase,), (single,) = parse('"إلى المدرسة" "الكتاب"', ANALYZER).groups
    assert phrase == Clause("phrase", "إلى المدرسة", ("الي", "المدرسه"), ("الي", "المدرسه"))
    assert single == Clause("exact_word", "الكتاب", ("الكتاب",), ("الكتاب",))
    assert phrase.fields() == single.fields() == EXACT_FIELDS


def test_a_stop_word_alone_is_matched_as_written() -> None:
    ((clause,),) = parse("إلى", ANALYZER).groups
    assert clause == Clause("exact_word", "إلى", ("الي",), ("الي",))


def test_exclusions_or_and_odd_pieces() -> None:
    plan = parse('ـــ الكتاب OR القلم المدرسة -أحمد -"في البيت" OR', ANALYZER)
    # ـــ analyses to nothing and is skipped; the words after it still count.
    assert [[c.text for c in group] for group in plan.groups] == [["الكتاب", "القلم"], ["المدرسة"]]
    assert [(c.kind, c.text) for c in plan.excluded] == [("word", "أحمد"), ("phrase", "في البيت")]
    assert parse("OR الكتاب", ANALYZER).groups == parse("الكتاب", ANALYZER).groups


def test_highlight_terms_are_stemmed_for_words_and_exact_for_everything() -> None:
    plan = parse('الكتاب "المدرسة" -أحمد', ANALYZER)
    # A one-word phrase is an exact word; the excluded أحمد is never marked.
    assert highlight_terms(plan) == HighlightTerms(
        stemmed=frozenset({"كتاب"}), exact=frozenset({"الكتاب", "المدرسه"}), phrases=()
    )
    # A longer phrase is marked only where its words stand together, so it is kept whole.
    plan = parse('الكتاب "المدرسة الكبيرة" -أحمد', ANALYZER)
    assert highlight_terms(plan) == HighlightTerms(
        stemmed=frozenset({"كتاب"}), exact=frozenset({"الكتاب"}), phrases=(("المدرسه", "الكبيره"),)
    )


def test_long_input_is_cut_not_refused() -> None:
    plan = parse("كلمة " * PARSE_MAX_QUERY_CHARS, ANALYZER)
    assert plan.text == ("كلمة " * PARSE_MAX_QUERY_CHARS)[:PARSE_MAX_QUERY_CHARS]


def test_only_the_minus_of_an_exclusion_is_taken_off_a_word() -> None:
    # A Latin word beside the Arabic ones keeps every letter, whether asked for or excluded.
    plan = parse("XML كتاب -Xbox", ANALYZER)
    assert [[c.terms for c in group] for group in plan.groups] == [[("xml",)], [("كتاب",)]]
    assert [c.terms for c in plan.excluded] == [("xbox",)]
