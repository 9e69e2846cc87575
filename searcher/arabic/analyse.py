"""Normalise Arabic text and split it into tokens that remember where they came from.

`ArabicAnalyzer` executes the rule table (`rules.py`) in Python exactly the way the engine
template executes it in Elasticsearch/OpenSearch:

    mapping char filter  →  tokenizer  →  lowercase  →  Uthmani words  →  stop words  →  stem
    (sequence + char)       (letters, digits, marks)                       (stemmed fields only)

Tokens carry offsets into the ORIGINAL text, as the engine's char filters do, so a snippet can
mark the word the reader actually sees (with its harakat) rather than its normalised form.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import regex

from searcher.arabic import rules as rule_table
from searcher.arabic.stem import stem
from searcher.arabic.stopwords import STOP_WORDS
from searcher.limits import ANALYZER_CACHE_MAX_CHARS, ANALYZER_CACHE_MAX_WORD_CHARS

# What the tokenizer keeps together: letters, digits and combining marks.  The engine template
# uses the same class as its `pattern` tokenizer's separator complement.
TOKEN_CLASS = r"\p{L}\p{N}\p{M}"
_SEPARATORS = regex.compile(rf"[^{TOKEN_CLASS}]+")


def _mark_ranges() -> str:
    """Every combining mark (Unicode category M*) as an `re` character-class body."""
    marks = [
        cp
        for cp in (*range(0x20000), *range(0xE0100, 0xE01F0))
        if unicodedata.category(chr(cp)).startswith("M")
    ]
    ranges: list[tuple[int, int]] = []
    for cp in marks:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


_MARKS = _mark_ranges()


_WORD_CACHE_SIZE = 200_000  # entries; and at most ANALYZER_CACHE_MAX_CHARS characters of them


@dataclass(frozen=True, slots=True)
class _Word:
    skip: int  # leading characters that are deleted, hence outside the token's span
    exact: tuple[str, ...]  # usually one term; a ligature such as ﷺ expands to several
    stemmed: tuple[str | None, ...]  # None where the stemmed analysis drops a stop word


class Token(NamedTuple):
    """One indexed term and the span of original text it came from (a tuple: cheap to make)."""

    term: str
    start: int
    end: int
    position: int


def _composed_char_rules(rules: Iterable[rule_table.Rule]) -> dict[str, str]:
    """Character rules with each output run through the other rules until nothing changes.

    Neither `str.translate` nor a mapping char filter re-reads its own output, so a ligature's
    letters must already be final: ﷺ → "صلى الله …" → "صلي الله …".  Sequences count too: the
    ligature ﱝ stands for ىٰ, which must come out as ي like the two letters typed separately.
    """
    rules = tuple(rules)
    raw = {ch: out for rule in rules if rule.kind == "char" for ch, out in rule.mapping.items()}
    table = raw
    while True:
        composed = {ch: "".join(table.get(c, c) for c in out) for ch, out in table.items()}
        if composed == table:
            break
        table = composed
    # What `normalise` does to the output written out: sequences first, then the characters.
    sequences = {k: v for rule in rules if rule.kind == "sequence" for k, v in rule.mapping.items()}
    if not sequences:
        return table
    longest_first = sorted(sequences, key=len, reverse=True)
    sequence_re = regex.compile("|".join(map(regex.escape, longest_first)))
    return {
        ch: "".join(table.get(c, c) for c in sequence_re.sub(lambda m: sequences[m.group()], out))
        for ch, out in raw.items()
    }


class ArabicAnalyzer:
    """The Arabic analysis with a chosen set of rules switched off (none by default)."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.disabled = frozenset(disabled)
        self.rules = rule_table.select(self.disabled)
        self._char_rules = _composed_char_rules(self.rules)
        self._char_table = str.maketrans(self._char_rules)
        self._sequences = self._entries("sequence")
        self._sequence_re = (
            regex.compile(
                "|".join(map(regex.escape, sorted(self._sequences, key=len, reverse=True)))
            )
            if self._sequences
            else None
        )
        self._lowercase = any(rule.kind == "lowercase" for rule in self.rules)
        self.word_rules = self._entries("word")
        # Characters the char filter deletes, or turns into letters, belong inside a token of
        # the ORIGINAL text (a kashida or a zero-width joiner must not split a word).
        mapping = self.mapping()
        joined = sorted(
            ch for ch, out in mapping.items() if len(ch) == 1 and not _SEPARATORS.search(out)
        )
        self._token_re = regex.compile(rf"[{TOKEN_CLASS}{''.join(map(regex.escape, joined))}]+")
        # The same runs, found 3x faster by the stdlib `re` (\w + every combining mark).  It also
        # takes "_" into a run, which `_word` then splits off like any separator: the terms are
        # identical, only the offsets of such a run would be coarser, so precise offsets
        # (`analyse`, the parity test) keep `_token_re`.
        self._fast_token_re = re.compile(rf"[\w{_MARKS}{''.join(map(re.escape, joined))}]+")
        self._deleted = frozenset(ch for ch, out in mapping.items() if len(ch) == 1 and not out)
        self._words: dict[str, _Word] = {}
        self._cached_chars = 0

    def _entries(self, kind: rule_table.RuleKind) -> dict[str, str]:
        return {
            key: out
            for rule in self.rules
            if rule.kind == kind
            for key, out in rule.mapping.items()
        }

    # -- the rule table, executed -------------------------------------------------------------

    def mapping(self) -> dict[str, str]:
        """Every char-filter key and its FINAL output (what the engine's `mapping` filter gets).

        A mapping char filter does not re-read its own output, so a sequence's replacement is
        run through the single-character rules here (ىٰ → ى → ي).
        """
        table = dict(self._char_rules)
        for seq, out in self._sequences.items():
            table[seq] = out.translate(self._char_table)
        return table

    def normalise(self, text: str) -> str:
        """Normalise a whole text: sequences, then one `str.translate` pass, then lower case."""
        if self._sequence_re is not None:
            text = self._sequence_re.sub(lambda m: self._sequences[m.group()], text)
        text = text.translate(self._char_table)
        return text.lower() if self._lowercase else text

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """The stop list in the form tokens have when the stop filter sees them."""
        return frozenset(self._finish(self.normalise(word)) for word in STOP_WORDS)

    def _finish(self, term: str) -> str:
        return self.word_rules.get(term, term)

    # -- tokens ---------------------------------------------------------------------------------

    def _word(self, piece: str) -> _Word:
        """The analysis of one run of word characters, cached: Arabic vocabulary repeats a lot."""
        word = self._words.get(piece)
        if word is None:
            skip = 0
            while skip < len(piece) and piece[skip] in self._deleted:
                skip += 1  # the engine's offset correction puts a token after deleted chars
            exact = tuple(self._finish(t) for t in _SEPARATORS.split(self.normalise(piece)) if t)
            stemmed = tuple(None if t in self.stop_words else stem(t) for t in exact)
            word = _Word(skip, exact, stemmed)
            # Bounded by size as well as entries: a dump (or an API client) of unique megabyte
            # "words" must not pile up here.  Real words are short and repeat; those are cached.
            if len(piece) <= ANALYZER_CACHE_MAX_WORD_CHARS:
                if (
                    len(self._words) >= _WORD_CACHE_SIZE
                    or self._cached_chars >= ANALYZER_CACHE_MAX_CHARS
                ):
                    self._words.clear()
                    self._cached_chars = 0
                self._words[piece] = word
                self._cached_chars += len(piece)
        return word

    def analyse(self, text: str) -> tuple[list[Token], list[Token]]:
        """(stemmed tokens, exact tokens) of `text` in one pass, offsets into `text` itself.

        Stemmed is the search analysis (stop words dropped, light stem); exact is normalised
        only, every word kept.  Positions count stop words too, so phrase queries see the same
        gaps the engines see.
        """
        stemmed: list[Token] = []
        exact: list[Token] = []
        position = 0
        for match in self._token_re.finditer(text):
            word = self._word(match.group())
            start, end = match.start() + word.skip, match.end()
            for exact_term, stemmed_term in zip(word.exact, word.stemmed, strict=True):
                exact.append(Token(exact_term, start, end, position))
                if stemmed_term is not None:
                    stemmed.append(Token(stemmed_term, start, end, position))
                position += 1
        return stemmed, exact

    def term_lists(self, text: str) -> tuple[list[str], list[str]]:
        """(stemmed terms, exact terms) without offsets: the indexing hot path.

        The same walk as `analyse`; stop words are simply absent from the stemmed list (their
        positions only matter to phrase queries, which run on the exact terms).
        """
        stemmed: list[str] = []
        exact: list[str] = []
        word_of = self._word
        for piece in self._fast_token_re.findall(text):
            word = word_of(piece)
            exact.extend(word.exact)
            stemmed.extend(t for t in word.stemmed if t is not None)
        return stemmed, exact

    def spans(self, text: str, wanted: Callable[[str | None, str], bool]) -> list[tuple[int, int]]:
        """Original-text spans of the words for which ``wanted(stemmed_term, exact_term)`` holds.

        The same walk as `analyse`, without building tokens: snippets and suggestions scan whole
        documents per request, so this is their hot path.
        """
        found = []
        for match in self._fast_token_re.finditer(text):
            word = self._word(match.group())
            for exact_term, stemmed_term in zip(word.exact, word.stemmed, strict=True):
                if wanted(stemmed_term, exact_term):
                    found.append((match.start() + word.skip, match.end()))
                    break
        return found

    def tokens(self, text: str, *, stemmed: bool = True) -> list[Token]:
        """The stemmed (default) or exact tokens of `text`; see `analyse`."""
        return self.analyse(text)[0 if stemmed else 1]

    def terms(self, text: str, *, stemmed: bool = True) -> list[str]:
        """Just the terms, in order."""
        return [token.term for token in self.tokens(text, stemmed=stemmed)]


DEFAULT = ArabicAnalyzer()
