"""Snippets: the window around the matches, engine fragments read back, and escaped HTML.

`to_html` is the one place document text becomes HTML, so its output is compared exactly.
"""

from __future__ import annotations

import re

import pytest

from searcher.arabic import ArabicAnalyzer
from searcher.models import Snippet
from searcher.query import parse
from searcher.snippets import (
    ELLIPSIS,
    analysed_part,
    from_tagged,
    python_snippet,
    spans_for,
    to_html,
    window,
)

# -- to_html: exact HTML ---------------------------------------------------------------------


def _marked(text: str, *words: str) -> Snippet:
    """`text` with each of `words` marked (first occurrence after the previous mark)."""
    marks, cursor = [], 0
    for word in words:
        start = text.index(word, cursor)
        marks.append((start, start + len(word)))
        cursor = start + len(word)
    return Snippet(text=text, marks=marks)


@pytest.mark.parametrize(
    ("snippet", "html"),
    [
        # Markup after the last mark: the attack the issue names.
        (
            _marked("الكتاب <img src=x onerror=alert(1)>", "الكتاب"),
            "<mark>الكتاب</mark> &lt;img src=x onerror=alert(1)&gt;",
        ),
        # Markup before the first mark, and between two marks.
        (
            _marked('<b>قال</b> الكتاب "نور" & الكتاب', "الكتاب", "الكتاب"),
            "&lt;b&gt;قال&lt;/b&gt; <mark>الكتاب</mark> &quot;نور&quot; &amp; <mark>الكتاب</mark>",
        ),
        # Markup inside a mark, and a quote that could end an attribute.
        (
            Snippet(text="x<script>'y'</script>", marks=[(1, 9)]),
            "x<mark>&lt;script&gt;</mark>&#x27;y&#x27;&lt;/script&gt;",
        ),
        # No marks at all: the whole text escaped.
        (Snippet(text="a < b > c & 'd'", marks=[]), "a &lt; b &gt; c &amp; &#x27;d&#x27;"),
        # A mark that covers everything.
        (Snippet(text="<أحمد>", marks=[(0, 6)]), "<mark>&lt;أحمد&gt;</mark>"),
        # Overlapping marks: the first one wins, nothing is repeated.
        (Snippet(text="abcdef", marks=[(0, 4), (2, 6)]), "<mark>abcd</mark>ef"),
        (  # ...and the marks after the overlap still count
            Snippet(text="abcdef", marks=[(0, 2), (1, 3), (4, 5)]),
            "<mark>ab</mark>cd<mark>e</mark>f",
        ),
    ],
    ids=["after", "before-and-between", "inside", "no-marks", "whole", "overlap", "after-overlap"],
)
def test_to_html_is_escaped_text_with_marks(snippet: Snippet, html: str) -> None:
    assert to_html(snippet) == html


# -- window: the stretch around the densest matches ------------------------------------------

WORDS = [f"كلمة{i}" for i in range(200)]
TEXT = " ".join(WORDS)
SPANS = [(m.start(), m.end()) for m in re.finditer(r"\S+", TEXT)]


def _words(snippet: Snippet) -> list[str]:
    return snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).split(" ")


def test_a_short_text_is_the_whole_snippet() -> None:
    text = "ذهب أحمد إلى المدرسة"
    assert window(text, [(13, 20), (4, 8)]) == Snippet(text=text, marks=[(4, 8), (13, 20)])


def test_without_matches_the_snippet_is_the_beginning() -> None:
    snippet = window(TEXT, [], max_chars=60)
    assert snippet.text.startswith("كلمة0 كلمة1 ") and snippet.text.endswith(ELLIPSIS)
    assert snippet.marks == []
    assert len(snippet.text) <= 60 + len(ELLIPSIS)


@pytest.mark.parametrize("shift", range(8))
def test_the_densest_cluster_wins_and_no_word_is_cut(shift: int) -> None:
    words = [f"{'ك' * ((i * 7 + shift) % 9 + 1)}{i}" for i in range(200)]
    text = " ".join(words)
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    chosen = [spans[3], spans[120], spans[121], spans[123]]  # one lone match, then three
    snippet = window(text, chosen, max_chars=80)
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith(ELLIPSIS)
    assert set(_words(snippet)) <= set(words), "a word was cut in half"
    assert [snippet.text[s:e] for s, e in snippet.marks] == [words[120], words[121], words[123]]
    assert len(snippet.text) <= 80 + 2 * len(ELLIPSIS)


def test_a_cluster_at_the_start_has_no_leading_ellipsis() -> None:
    snippet = window(TEXT, [SPANS[1], SPANS[2], SPANS[150]], max_chars=60)
    assert snippet.text.startswith("كلمة0 ")
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["كلمة1", "كلمة2"]


def test_a_cluster_at_the_end_has_no_trailing_ellipsis() -> None:
    snippet = window(TEXT, [SPANS[198], SPANS[199]], max_chars=60)
    assert snippet.text.startswith(ELLIPSIS) and snippet.text.endswith("كلمة199")
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["كلمة198", "كلمة199"]


# -- engine fragments --------------------------------------------------------------------------


def test_from_tagged_reads_the_engines_highlight_tags() -> None:
    fragment = "قال <em>احمد</em> إن <em>الكتاب</em> مفيد"
    snippet = from_tagged(fragment, "<em>", "</em>")
    assert snippet.text == "قال احمد إن الكتاب مفيد"
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["احمد", "الكتاب"]
    assert from_tagged("<em>x</em>", "<em>", "</em>") == Snippet(text="x", marks=[(0, 1)])
    assert from_tagged("no tags", "<em>", "</em>") == Snippet(text="no tags", marks=[])


# -- marks from the Python analysis ------------------------------------------------------------


def test_python_snippets_mark_the_original_words() -> None:
    analyzer = ArabicAnalyzer()
    body = "ذَٰلِكَ ٱلۡكِتَٰبُ لَا رَيۡبَۛ فِيهِۛ"
    plan = parse('الكتاب OR "فيه"', analyzer)
    assert [body[s:e] for s, e in spans_for(analyzer, body, plan)] == ["ٱلۡكِتَٰبُ", "فِيهِۛ"]
    snippet = python_snippet(analyzer, "عنوان", body, plan)
    assert snippet.text == body
    # An empty body falls back to the title.
    titled = python_snippet(analyzer, "الكتاب", "", plan)
    assert titled == Snippet(text="الكتاب", marks=[(0, 6)])


def test_excluded_words_are_not_marked() -> None:
    analyzer = ArabicAnalyzer()
    plan = parse("المدرسة -أحمد", analyzer)
    text = "ذهب أحمد إلى المدرسةِ"
    assert [text[s:e] for s, e in spans_for(analyzer, text, plan)] == ["المدرسةِ"]


def test_a_match_longer_than_the_window_still_anchors_it() -> None:
    long_match = (SPANS[100][0], SPANS[140][1])  # far wider than the window
    snippet = window(TEXT, [long_match], max_chars=60)
    shown = snippet.text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
    assert TEXT.index(shown) <= long_match[0] < TEXT.index(shown) + 60
    # A later match that fits wins over an earlier one that cannot.
    snippet = window(TEXT, [long_match, SPANS[180]], max_chars=60)
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["كلمة180"]


def test_from_tagged_with_text_before_the_first_tag() -> None:
    snippet = from_tagged("قبل <em>أ</em> بين <em>ب</em>", "<em>", "</em>")
    assert snippet == Snippet(text="قبل أ بين ب", marks=[(4, 5), (10, 11)])
    # A closing tag inside the marked text ends the mark at the first one.
    assert from_tagged("<em>a</em>b</em>", "<em>", "</em>") == Snippet(
        text="ab</em>", marks=[(0, 1)]
    )


@pytest.mark.parametrize(
    ("text", "limit", "part"),
    [
        ("ذهب أحمد", 8, "ذهب أحمد"),  # exactly the limit: all of it
        ("ذهب أحمد إلى", 8, "ذهب أحمد"),  # the space just past the limit still cuts there
        ("ذهب أحمد إلى", 10, "ذهب أحمد"),  # never half a word
        ("كلمةواحدةطويلة", 5, "كلمةو"),  # no space at all: cut at the limit
        (" كلمةواحدة", 5, " كلمة"),  # a space only at the very start does not count
        ("و كلمةواحدة", 5, "و"),  # a space right after the first letter does
        ("ذهب أحمد إلى", 7, "ذهب"),  # a space one past the limit is too far
    ],
)
def test_analysed_part(text: str, limit: int, part: str) -> None:
    assert analysed_part(text, limit) == part


def test_a_text_of_exactly_the_snippet_length_is_whole() -> None:
    text = TEXT[:60]
    assert window(text, [(0, 5)], max_chars=60) == Snippet(text=text, marks=[(0, 5)])
    # A match at its end does not move the window either: there is nothing to cut.
    text = TEXT[: SPANS[9][1]]  # كلمة0 … كلمة9
    assert window(text, [SPANS[9]], max_chars=len(text)) == Snippet(text=text, marks=[SPANS[9]])
    assert window(text + " x", [(0, 5)], max_chars=60).text.endswith(ELLIPSIS)


def test_a_window_opening_at_a_word_is_not_moved() -> None:
    # The cluster starts 15 characters (60 // 4) after a word's first letter.
    start = SPANS[100][0]
    target = next(s for s in SPANS if s[0] >= start + 15)
    snippet = window(TEXT, [target], max_chars=60)
    assert snippet.text.startswith(ELLIPSIS)
    assert snippet.text[len(ELLIPSIS) :].split(" ")[0] in WORDS


def test_a_window_opening_one_letter_into_the_text_moves_to_the_next_word() -> None:
    # The match (كلمة3, at 18) is 68 // 4 = 17 characters in: the window would open at 1,
    # inside كلمة0.
    snippet = window(TEXT, [SPANS[3]], max_chars=68)
    assert snippet.text.startswith(ELLIPSIS + "كلمة1 ")
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["كلمة3"]


def test_a_window_inside_a_word_that_runs_into_the_match_stays_there() -> None:
    # No space between قال and the quoted match: the window (12 // 4 = 3 before the match)
    # opens inside قال and cannot move to a space without losing the match; the ellipsis
    # says the text was cut.
    text = "قال«الكتاب» نور والعلم ضياء والجهل ظلام"
    match = text.index("الكتاب")
    snippet = window(text, [(match, match + 6)], max_chars=12)
    assert snippet.text == ELLIPSIS + "ال«الكتاب»" + ELLIPSIS
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["الكتاب"]


def test_a_mark_ending_at_the_window_end_is_kept() -> None:
    snippet = window(TEXT, [SPANS[0], SPANS[5], SPANS[6]], max_chars=SPANS[5][1] + 1)
    assert [snippet.text[s:e] for s, e in snippet.marks] == ["كلمة0", "كلمة5"]


def test_a_text_without_spaces_is_cut_where_it_must_be() -> None:
    text = "ك" * 300
    snippet = window(text, [(200, 210)], max_chars=60)
    assert snippet.text == ELLIPSIS + text[185:245] + ELLIPSIS
    assert snippet.marks == [(16, 26)]
