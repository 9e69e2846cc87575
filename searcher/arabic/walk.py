"""The two hot loops around the analyzer's word cache: indexing terms and snippet spans.

Indexing and snippets analyse whole documents, but Arabic vocabulary repeats, so the analysis of
a word is cached (`analyse.WordCache`) and what costs is the loop around the cache: find the runs
of token characters, look each up, gather what the caller needs.  This module runs that loop:

* natively, with the optional accelerator `searcher_accel` (Rust, in ``accel/``) when it is
  installed: `pip install ./accel` (needs cargo), or ``make accel``;
* otherwise in Python, a few C-level passes per text (no Python code per word on a cache hit).

Both give the same output, by construction and by test (`tests/test_accel_parity.py`): the
accelerator receives the token class as data (code-point ranges read off the analyzer's own
regex) and asks the same cache, whose ``__missing__`` analyses a new word in Python.  Nothing of
the analysis is written twice.  ``SEARCHER_ACCEL=0`` turns the accelerator off.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from collections.abc import Collection
from operator import attrgetter
from types import ModuleType
from typing import Protocol

from searcher.codepoints import ASTRAL, bmp_only

Span = tuple[int, int]


class Walker(Protocol):
    def joined(self, text: str) -> tuple[str, str]:
        """(stemmed terms, exact terms) of `text`, each joined by single spaces."""

    def spans(
        self, text: str, stemmed_terms: Collection[str], exact_terms: Collection[str]
    ) -> list[Span]:
        """Spans of the words with a stemmed (or stacked) term in `stemmed_terms` or an exact
        term in `exact_terms`, in text order, each once."""


@functools.lru_cache(maxsize=16)
def token_ranges(pattern: str, below: int = 0x110000) -> tuple[Span, ...]:
    """The code points under `below` one character of the token class ``[...]+`` in `pattern`
    matches, as inclusive (first, last) ranges: read off the compiled regex itself, so a walk
    that uses them cuts the text exactly where the regex does.  Scanning every code point costs
    about 250 ms, the Basic Multilingual Plane alone a sixteenth of it: paid by every process
    that indexes or makes a snippet, a CLI search included."""
    every = "".join(map(chr, range(below)))  # position = code point (lone surrogates too)
    return tuple((m.start(), m.end() - 1) for m in re.compile(pattern).finditer(every))


def _class_body(ranges: tuple[Span, ...]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


class PythonWalker:
    """The loops in Python: what runs when the accelerator is not installed."""

    def __init__(self, token_re: re.Pattern[str], cache: dict) -> None:
        self._token_re = token_re
        self._cache = cache
        # `re` tests a character class with astral ranges in it range by range; the same class
        # cut to the Basic Multilingual Plane is one table look-up, 4x faster.  It is used only
        # on texts that hold no astral character, where the two classes agree on every one.
        bmp = token_ranges(token_re.pattern, below=ASTRAL)
        self._bmp_token_re = re.compile(f"[{_class_body(bmp)}]+")
        self._bmp_char = re.compile(f"[{_class_body(bmp)}]")
        assert token_re.pattern.endswith("]+"), "a token regex is one character class, repeated"
        self._char = re.compile(token_re.pattern.removesuffix("+"))

    def _pieces(self, text: str) -> list[str]:
        token_re = self._bmp_token_re if bmp_only(text) else self._token_re
        return token_re.findall(text)

    def joined(self, text: str) -> tuple[str, str]:
        words = list(map(self._cache.__getitem__, self._pieces(text)))
        stemmed = " ".join(filter(None, map(attrgetter("indexed_text"), words)))
        exact = " ".join(filter(None, map(attrgetter("exact_text"), words)))
        return stemmed, exact

    def spans(
        self, text: str, stemmed_terms: Collection[str], exact_terms: Collection[str]
    ) -> list[Span]:
        # Which distinct words are wanted, and where inside them; then find only those words.
        stemmed_terms, exact_terms = frozenset(stemmed_terms), frozenset(exact_terms)
        wanted: dict[str, list[Span]] = {}
        for piece in set(self._pieces(text)):
            word = self._cache[piece]
            if (
                stemmed_terms.isdisjoint(word.stemmed)
                and exact_terms.isdisjoint(word.exact)
                and stemmed_terms.isdisjoint(word.stacked)
            ):
                continue  # most words: three set look-ups in C
            wanted[piece] = [
                span
                for stemmed, exact, stacked, span in zip(
                    word.stemmed, word.exact, word.stacked, word.spans, strict=True
                )
                if stemmed in stemmed_terms
                or exact in exact_terms
                or (stacked is not None and stacked in stemmed_terms)
            ]
        found: set[Span] = set()
        for piece, inside in wanted.items():
            for start in self._runs_of(text, piece):
                found.update((start + s, start + e) for s, e in inside)
        # A word's spans lie inside it and follow its terms' order, so text order is sorted
        # order, and a span two terms of one word share is listed once either way.
        return sorted(found)

    def _runs_of(self, text: str, piece: str) -> list[int]:
        """Where `piece` occurs as a whole run (not inside a longer one)."""
        char = self._bmp_char if bmp_only(text) else self._char
        starts = []
        at = text.find(piece)
        while at != -1:
            end = at + len(piece)
            if (at == 0 or not char.match(text, at - 1)) and (
                end == len(text) or not char.match(text, end)
            ):
                starts.append(at)
            at = text.find(piece, at + 1)
        return starts


def accelerator() -> ModuleType | None:
    """`searcher_accel` if it is installed and not switched off (``SEARCHER_ACCEL=0``)."""
    if os.environ.get("SEARCHER_ACCEL", "1") == "0":
        return None
    try:
        return importlib.import_module("searcher_accel")
    except ImportError:
        return None


def walker(token_re: re.Pattern[str], cache: dict, fields: tuple[str, ...]) -> Walker:
    """The fastest walker available over `cache` (a dict of word tuples with these `fields`)."""
    native = accelerator()
    if native is None:
        return PythonWalker(token_re, cache)
    positions = {
        name: fields.index(name)
        for name in ("exact", "stemmed", "stacked", "spans", "exact_text", "indexed_text")
    }
    return native.Walker(list(token_ranges(token_re.pattern)), cache, positions)
