"""Typo tolerance and "did you mean": the close spellings of a word that the index knows.

Arabic readers mistype in known ways: letters that sound alike in their dialect (ض/ظ, ذ/ز/ظ,
ث/س, ص/س, ق/ك) and the hamza on the wrong seat or left off.  Those are `CONFUSIONS` (data, in
this one place), tried on words of three letters or more; any one edit (a letter left out,
added, replaced, or two swapped) is tried on words of `TYPO_MIN_EDIT_LETTERS` or more.  A
spelling counts only if the index's word dictionary (`dictionary.py`) holds it, in at least
`DID_YOU_MEAN_RATIO` times as many documents as the word typed: a rare real word is not
"corrected" into a common one unless the query itself finds next to nothing.

How the results use them (`recovery.search`), never above what the query as typed finds:

- the query finds nothing: each word that finds nothing on its own either (no form of it is in
  the index: a clitic or a plural the stemmer knows is no typo) is searched together with its
  close spellings, which weigh `TYPO_WEIGHT` of the word itself, so a document holding the
  typed words ranks first; the response says `corrected: true` and `did_you_mean` names the
  best spelling;
- the query finds a few documents (at most `DID_YOU_MEAN_AT_MOST`): its results stay as they
  are, and `did_you_mean` is offered if the best spellings find `DID_YOU_MEAN_RATIO` times more.

Every engine reads the same dictionary, so all three correct alike.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import regex

from searcher.arabic import ArabicAnalyzer
from searcher.dictionary import Dictionary
from searcher.limits import (
    DID_YOU_MEAN_RATIO,
    TYPO_ALTERNATIVES,
    TYPO_MAX_WORDS,
    TYPO_MIN_EDIT_LETTERS,
)
from searcher.query import Clause, QueryPlan, clause

# Letters that stand for each other when readers type (after normalisation, so أ إ آ are ا and
# ؤ ئ are ء already): each group's letters are interchangeable.
CONFUSIONS: tuple[tuple[str, ...], ...] = (
    ("ض", "ظ"),  # dad / dha: one sound in much of the Arab world
    ("ذ", "ز", "ظ"),  # dhal / zay / dha: ذ and ظ said as ز in Egypt and the Levant
    ("ث", "س"),  # tha / sin: ث said as س
    ("ص", "س"),  # sad / sin: emphatic or not
    ("ق", "ك"),  # qaf / kaf
)
# Hamza placement: the hamza written on another seat (an alef, a waw, a ya) or on the line
# (ء for ا, و or ي and back: سئل / سأل, مسوول for مسؤول), or left out or added (مسول).
HAMZA, HAMZA_SEATS = "ء", "اوي"
# The letters an edit may add or put in a word: the normalised Arabic alphabet (ة is ه, ى is ي).
ALPHABET = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي"
MIN_LETTERS = 3  # shorter words have too many neighbours to correct
TYPO_WEIGHT = 0.5  # a close spelling's share of the weight of the word as typed
_LETTERS = regex.compile(r"\p{L}+")


def _swap_table() -> dict[str, str]:
    swaps: dict[str, str] = {HAMZA: HAMZA_SEATS}
    for seat in HAMZA_SEATS:
        swaps[seat] = HAMZA
    for group in CONFUSIONS:
        for letter in group:
            swaps[letter] = swaps.get(letter, "") + "".join(o for o in group if o != letter)
    return swaps


_SWAPS = _swap_table()


def confusions(word: str) -> set[str]:
    """`word` with one or two of its letters confused, or its hamza left out or added: never any
    other edit, whatever the word's length."""
    letters = list(word)
    places = [(i, _SWAPS[c]) for i, c in enumerate(letters) if c in _SWAPS]
    once, twice = set(), set()
    for n, (i, others) in enumerate(places):
        for other in others:
            one = [*letters[:i], other, *letters[i + 1 :]]
            once.add("".join(one))
            for j, seconds in places[n + 1 :]:
                twice |= {"".join([*one[:j], second, *one[j + 1 :]]) for second in seconds}
    # A hamza left out or added, in the word as typed (after a swap it would be any deletion of
    # an alef, waw or ya: امن is not a typo of من).
    hamza = {word[:i] + word[i + 1 :] for i, c in enumerate(word) if c == HAMZA}
    hamza |= {word[:i] + HAMZA + word[i:] for i in range(1, len(word) + 1)}
    return (once | twice | hamza) - {word}


def edits(word: str) -> set[str]:
    """Every spelling one edit away: a letter left out, added, replaced, or two swapped."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    out |= {a + c + b for a, b in splits for c in ALPHABET}
    return out - {word}


def spellings(dictionary: Dictionary, term: str) -> list[str]:
    """The close spellings of `term` the index holds in `DID_YOU_MEAN_RATIO` times as many
    documents, most documents first (a confusion before a plain edit when they tie)."""
    if len(term) < MIN_LETTERS or not _LETTERS.fullmatch(term):
        return []
    floor = max(1, DID_YOU_MEAN_RATIO * dictionary.documents(term))
    likely = confusions(term)
    candidates = likely | (edits(term) if len(term) >= TYPO_MIN_EDIT_LETTERS else set())
    found = [(dictionary.documents(c), c not in likely, c) for c in candidates]
    ranked = sorted((-n, plain, c) for n, plain, c in found if n >= floor)
    return [c for _, _, c in ranked[:TYPO_ALTERNATIVES]]


@dataclass(frozen=True)
class Correction:
    """A plan's words with their close spellings."""

    tolerant: QueryPlan  # each corrected word OR its spellings (down-weighted)
    best: QueryPlan  # each corrected word replaced by its best spelling
    text: str  # what the user typed, with the best spellings: the `did_you_mean`


def correct(
    plan: QueryPlan,
    dictionary: Dictionary,
    analyzer: ArabicAnalyzer,
    groups: Collection[int] | None = None,
) -> Correction | None:
    """The plan corrected word by word (only the `groups` given, if any), or None when no word
    has a close spelling."""
    if len(plan.groups) > TYPO_MAX_WORDS:
        return None
    tolerant: list[list[Clause]] = []
    best: list[list[Clause]] = []
    text = plan.text
    changed = False
    for number, group in enumerate(plan.groups):
        widened, replaced = list(group), []
        for typed in group:
            wanted = groups is None or number in groups
            alternatives = _alternatives(typed, dictionary, analyzer) if wanted else []
            widened += [replace(a, weight=TYPO_WEIGHT) for a in alternatives]
            replaced.append(alternatives[0] if alternatives else typed)
            if alternatives:
                changed = True
                text = _replace_word(text, typed.text, alternatives[0].text)
        tolerant.append(widened)
        best.append(replaced)
    if not changed:
        return None
    return Correction(plan.with_groups(tolerant), plan.with_groups(best), text)


def _alternatives(typed: Clause, dictionary: Dictionary, analyzer: ArabicAnalyzer) -> list[Clause]:
    """Clauses for the close spellings of one word (only a plain word: a quoted word or a
    phrase means what it says)."""
    if typed.kind != "word" or len(typed.exact_terms) != 1:
        return []
    out = []
    for term in spellings(dictionary, typed.exact_terms[0]):
        word = dictionary.get(term)
        found = clause(word.form if word else term, False, analyzer)
        if found is not None and found.kind != "phrase":  # a form that is two words: no
            out.append(found)
    return out


def _replace_word(text: str, old: str, new: str) -> str:
    """`text` with its first whole word `old` replaced by `new`."""
    pattern = regex.compile(rf"(?<![^\s\"(]){regex.escape(old)}(?![^\s\")])")
    return pattern.sub(lambda _: new, text, count=1)
