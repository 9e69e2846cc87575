"""Normalise Arabic text and split it into tokens that remember where they came from.

`ArabicAnalyzer` executes the rule table (`rules.py`) in Python exactly the way the engine
template executes it in Elasticsearch/OpenSearch:

    pattern char filters → mapping char filter → tokenizer → lowercase → Uthmani words
    (pattern rules)        (sequence + char)       (letters, digits, marks)
      → stop words → stem
        (stemmed fields only)

Tokens carry offsets into the ORIGINAL text, as the engine's char filters do, so a snippet can
mark the word the reader actually sees (with its harakat) rather than its normalised form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from functools import cached_property
from typing import NamedTuple

import regex

from searcher.arabic import marks, walk
from searcher.arabic import rules as rule_table
from searcher.arabic.stem import stem, without_proclitic
from searcher.arabic.stopwords import STOP_WORDS
from searcher.limits import ANALYZER_CACHE_MAX_CHARS, ANALYZER_CACHE_MAX_WORD_CHARS

# What the tokenizer keeps together: letters, digits and combining marks.  The engine template
# uses the same class as its `pattern` tokenizer's separator complement.
TOKEN_CLASS = r"\p{L}\p{N}\p{M}"
_SEPARATORS = regex.compile(rf"[^{TOKEN_CLASS}]+")
# A pattern rule may put a space inside a run of word characters (never anything else).
_PARTS = regex.compile(r"[^ ]+")

_MARKS = marks.character_class()  # every combining mark, as a character-class body

_WORD_CACHE_SIZE = 200_000  # entries; and at most ANALYZER_CACHE_MAX_CHARS characters of them


class Word(NamedTuple):
    """The analysis of one run of word characters (a tuple: the accelerator reads it by index)."""

    exact: tuple[str, ...]  # usually one term; a ligature such as ﷺ expands to several
    stemmed: tuple[str | None, ...]  # None where the stemmed analysis drops a stop word
    # The stem without a single-letter proclitic (لصندوق → صندوق), indexed at the same position,
    # or None (no proclitic, or a stop word).
    stacked: tuple[str | None, ...]
    indexed: tuple[str, ...]  # what the stemmed field indexes, in order (the hot path's view)
    # Each term's (start, end) within the run: leading deleted characters are outside it, and a
    # pattern rule's space (the vocative يٰقوم) splits the run in two.
    spans: tuple[tuple[int, int], ...]
    exact_text: str  # `exact` and `indexed` joined by spaces: what the embedded engine indexes
    indexed_text: str


class WordCache(dict[str, Word]):
    """run of word characters → its `Word`; a missing one is analysed (`__missing__`) and kept.

    Bounded by size as well as entries: a dump (or an API client) of unique megabyte "words"
    must not pile up here.  Real words are short and repeat; those are cached.
    """

    def __init__(self, analyse: Callable[[str], Word]) -> None:
        super().__init__()
        self._analyse = analyse
        self._chars = 0

    def __missing__(self, piece: str) -> Word:
        word = self._analyse(piece)
        if len(piece) <= ANALYZER_CACHE_MAX_WORD_CHARS:
            if len(self) >= _WORD_CACHE_SIZE or self._chars >= ANALYZER_CACHE_MAX_CHARS:
                self.clear()
                self._chars = 0
            self[piece] = word
            self._chars += len(piece)
        return word


class Token(NamedTuple):
    """One indexed term and the span of original text it came from (a tuple: cheap to make)."""

    term: str
    start: int
    end: int
    position: int


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regex matching the LONGEST of `keys` at a position, as a mapping char filter does.

    The keys share prefixes (ىٰ, ىٰه, ىٰك, ...): a plain alternation of a hundred literals costs
    the normaliser 6x its speed, the same keys as a trie (common prefixes factored, greedy
    optional tails) cost next to nothing.  Greedy tails try the longer key first.
    """
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = {}  # a key ends here

    def pattern(node: dict) -> str:
        ends = "" in node
        children = {ch: child for ch, child in node.items() if ch}
        leaves = sorted(ch for ch, child in children.items() if set(child) == {""})
        branches = [re.escape(ch) + pattern(children[ch]) for ch in sorted(children)]
        if len(leaves) > 1:  # one character class for the keys that end on the next character
            branches = [
                re.escape(ch) + pattern(children[ch]) for ch in sorted(children) if ch not in leaves
            ]
            branches.append("[" + "".join(map(re.escape, leaves)) + "]")
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return pattern(trie)


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

    def __init__(
        self, disabled: Iterable[str] = (), plurals: Iterable[tuple[str, str]] = ()
    ) -> None:
        self.disabled = frozenset(disabled)
        self.rules = rule_table.select(self.disabled)
        self._char_rules = _composed_char_rules(self.rules)
        self._char_table = str.maketrans(self._char_rules)
        self._sequences = self._entries("sequence")
        self._sequence_re = re.compile(_trie_pattern(self._sequences)) if self._sequences else None
        self._lowercase = any(rule.kind == "lowercase" for rule in self.rules)
        # The table writes a word rule's output as standard text spells it (أولئك, for the
        # suggestions' display forms: `display.py`); the analysis folds it like any text.
        self.word_rules = {word: self._fold(out) for word, out in self._entries("word").items()}
        self.word_patterns = tuple(
            (rf"^({rule_table.PROCLITICS}){word}({rule_table.ENCLITICS})$", rf"\1{out}\2")
            for word, out in sorted(self.word_rules.items())
        )
        self._word_patterns = tuple((regex.compile(p), r) for p, r in self.word_patterns)
        self._any_word_rule = regex.compile(
            rf"^{rule_table.PROCLITICS}(?:{'|'.join(sorted(self.word_rules))}){rule_table.ENCLITICS}$"
            if self.word_rules
            else r"(?!)"
        )
        # Characters the char filter deletes, or turns into letters, belong inside a token of
        # the ORIGINAL text (a kashida or a zero-width joiner must not split a word).
        mapping = self.mapping()
        joined = sorted(
            ch for ch, out in mapping.items() if len(ch) == 1 and not _SEPARATORS.search(out)
        )
        self._token_re = regex.compile(rf"[{TOKEN_CLASS}{''.join(map(regex.escape, joined))}]+")
        # Pattern rules: a leading ^ means "where a word starts": after no letter, digit or mark.
        # Those all belong to a run, so Python applying a rule run by run sees what the engine's
        # pass over the whole text sees (a ۞ before the word is no letter: the rule applies).
        self.pattern_rules = tuple(
            (rf"(?<![{TOKEN_CLASS}]){pattern[1:]}" if pattern.startswith("^") else pattern, out)
            for pattern, out in self._entries("pattern").items()
        )
        self._patterns = tuple((regex.compile(p), r) for p, r in self.pattern_rules)
        # The same runs, found 3x faster by the stdlib `re` (\w + every combining mark).  It also
        # takes "_" into a run, which `_word` then splits off like any separator: the terms are
        # identical, only the offsets of such a run would be coarser, so precise offsets
        # (`analyse`, the parity test) keep `_token_re`.
        self._fast_token_re = re.compile(rf"[\w{_MARKS}{''.join(map(re.escape, joined))}]+")
        self._deleted = frozenset(ch for ch, out in mapping.items() if len(ch) == 1 and not out)
        self._words = WordCache(self._analyse_word)
        # Broken plurals (`plurals.py`, optional): a plural's stem → its singular's stem.
        self.plural_stems = self._plural_stems(plurals)

    def __reduce__(self) -> tuple[Callable[..., ArabicAnalyzer], tuple[object, ...]]:
        """An analyzer travels (to a worker process) as its configuration; the word cache stays
        behind and fills again where it lands."""
        return _rebuilt, (sorted(self.disabled), self.plural_stems)

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
        """Normalise a whole text: patterns, sequences, one `str.translate` pass, lower case."""
        return self._fold(self._rewrite(text))

    def _rewrite(self, text: str) -> str:
        """The pattern rules, which keep the text's length (so offsets stay valid)."""
        for pattern, replacement in self._patterns:
            if pattern.search(text) is None:
                continue  # the usual case for a word, and far cheaper than a `sub`
            rewritten = pattern.sub(replacement, text)
            if len(rewritten) != len(text):
                raise ValueError(f"pattern rule {pattern.pattern!r} changed the text's length")
            text = rewritten
        return text

    def _fold(self, text: str) -> str:
        """Sequences, then one `str.translate` pass, then lower case."""
        if self._sequence_re is not None:
            text = self._sequence_re.sub(lambda m: self._sequences[m.group()], text)
        text = text.translate(self._char_table)
        return text.lower() if self._lowercase else text

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """The stop list in the form tokens have when the stop filter sees them."""
        return frozenset(self._finish(self.normalise(word)) for word in STOP_WORDS)

    def _finish(self, term: str) -> str:
        """The word rules, one after another as the engine's filters run them."""
        if self._any_word_rule.match(term):
            for pattern, replacement in self._word_patterns:
                term = pattern.sub(replacement, term)
        return term

    # -- tokens ---------------------------------------------------------------------------------

    def _word(self, piece: str) -> Word:
        """The analysis of one run of word characters, cached: Arabic vocabulary repeats a lot."""
        return self._words[piece]

    def _analyse_word(self, piece: str) -> Word:
        exact: list[str] = []
        spans: list[tuple[int, int]] = []
        rewritten = self._rewrite(piece)
        for part in _PARTS.finditer(rewritten):
            start, end = part.span()
            while start < end and self._deleted_at(rewritten, start):
                start += 1  # the engine's offset correction puts a token after deleted chars
            for term in _SEPARATORS.split(self._fold(part.group())):
                if term:
                    exact.append(self._finish(term))
                    spans.append((start, end))
        stemmed = tuple(self._stem(t) for t in exact)
        stacked = tuple(self._stem(without_proclitic(t)) for t in exact)
        indexed = tuple(t for pair in zip(stemmed, stacked, strict=True) for t in pair if t)
        joined = " ".join(exact), " ".join(indexed)
        return Word(tuple(exact), stemmed, stacked, indexed, tuple(spans), *joined)

    def _stem(self, term: str | None) -> str | None:
        if term is None or term in self.stop_words:
            return None
        stemmed = stem(term)
        return self.plural_stems.get(stemmed, stemmed)

    def _plural_stems(self, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        """{plural stem: singular stem} for the (plural, singular) words of a lexicon.

        A plural whose stem is also some singular's stem (كتب is a verb too, آفل has أفول) is
        left alone only when the lexicon itself lists that stem as a singular: no chains, no
        swapping one noun for another.  The first pair for a plural wins.
        """

        def one_stem(word: str) -> str | None:
            terms = [t for t in _SEPARATORS.split(self.normalise(word)) if t]
            if len(terms) != 1 or self._finish(terms[0]) in self.stop_words:
                return None
            return stem(self._finish(terms[0]))

        stems = [(one_stem(plural), one_stem(singular)) for plural, singular in pairs]
        singulars = {s for _, s in stems if s}
        table: dict[str, str] = {}
        for plural, singular in stems:
            if plural and singular and plural != singular and plural not in singulars:
                table.setdefault(plural, singular)
        return table

    def _deleted_at(self, text: str, at: int) -> bool:
        """Whether the char filter deletes the character at `at`: a deleted character that
        begins a sequence (the kashida of ـٔ) is part of that sequence's output instead."""
        if text[at] not in self._deleted:
            return False
        return self._sequence_re is None or self._sequence_re.match(text, at) is None

    def analyse(self, text: str, *, stack: bool = True) -> tuple[list[Token], list[Token]]:
        """(stemmed tokens, exact tokens) of `text` in one pass, offsets into `text` itself.

        Stemmed is the index analysis (stop words dropped, light stem, and a word with a
        single-letter proclitic stacked with its stripped form at the same position); with
        ``stack=False`` it is the query analysis, which never splits a proclitic off.  Exact is
        normalised only, every word kept.  Positions count stop words too, so phrase queries see
        the same gaps the engines see.
        """
        stemmed: list[Token] = []
        exact: list[Token] = []
        position = 0
        for match in self._token_re.finditer(text):
            word = self._word(match.group())
            base = match.start()
            for exact_term, stemmed_term, stacked_term, (start, end) in zip(
                word.exact, word.stemmed, word.stacked, word.spans, strict=True
            ):
                start, end = base + start, base + end
                exact.append(Token(exact_term, start, end, position))
                if stemmed_term is not None:
                    stemmed.append(Token(stemmed_term, start, end, position))
                if stack and stacked_term is not None:
                    stemmed.append(Token(stacked_term, start, end, position))
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
            stemmed.extend(word.indexed)
        return stemmed, exact

    @cached_property
    def _walker(self) -> walk.Walker:
        return walk.walker(self._fast_token_re, self._words, Word._fields)

    def joined_terms(self, text: str) -> tuple[str, str]:
        """`term_lists`, each joined by single spaces: what the embedded engine indexes (its
        whitespace tokenizer splits them again).  Native when the accelerator is installed."""
        return self._walker.joined(text)

    def term_spans(
        self, text: str, stemmed_terms: Collection[str], exact_terms: Collection[str]
    ) -> list[tuple[int, int]]:
        """``spans(text, wanted)`` for ``wanted = stemmed in stemmed_terms or exact in
        exact_terms``: the snippets' hot path.  Native when the accelerator is installed."""
        return self._walker.spans(text, stemmed_terms, exact_terms)

    def runs(self, text: str) -> Iterator[str]:
        """The runs of word characters of `text`, each of which yields one or more terms, one at
        a time: a 20 MB text has millions of them, too many to hold as a list beside the text."""
        return (match[0] for match in self._fast_token_re.finditer(text))

    def surface_terms(self, run: str) -> list[tuple[str, str]]:
        """(exact term, the stretch of `run` it comes from) for each term of one run."""
        word = self._word(run)
        return [(term, run[s:e]) for term, (s, e) in zip(word.exact, word.spans, strict=True)]

    def fold(self, text: str) -> str:
        """Sequences, characters and case folded as the analysis does (no pattern rules, no
        word rules): what a normalised word looks like letter by letter."""
        return self._fold(text)

    def spans(self, text: str, wanted: Callable[[str | None, str], bool]) -> list[tuple[int, int]]:
        """Original-text spans of the words for which ``wanted(stemmed_term, exact_term)`` holds.

        The same walk as `analyse`, without building tokens: snippets and suggestions scan whole
        documents per request, so this is their hot path.
        """
        found: list[tuple[int, int]] = []
        for match in self._fast_token_re.finditer(text):
            word = self._word(match.group())
            base = match.start()
            for exact_term, stemmed_term, stacked_term, (start, end) in zip(
                word.exact, word.stemmed, word.stacked, word.spans, strict=True
            ):
                span = (base + start, base + end)
                hit = wanted(stemmed_term, exact_term) or (
                    stacked_term is not None and wanted(stacked_term, exact_term)
                )
                if hit and (not found or found[-1] != span):
                    found.append(span)
        return found

    def word_spans(self, text: str) -> list[tuple[int, int]]:
        """The original-text span of every word that yields a token (one span per word, even
        where a ligature yields several tokens): the units a snippet marks."""
        found: list[tuple[int, int]] = []
        for match in self._token_re.finditer(text):
            base = match.start()
            for start, end in self._word(match.group()).spans:
                span = (base + start, base + end)
                if not found or found[-1] != span:
                    found.append(span)
        return found

    def exact_tokens_near(self, text: str, at: int, *, extra: int) -> list[Token]:
        """The exact tokens of the word holding offset `at`, then `extra` more: what a phrase
        beginning in that word can reach, without analysing the rest of `text` (a long body
        costs milliseconds).  The same walk as `analyse`, from the start of that word on;
        positions count from there."""
        while at > 0 and self._token_re.match(text, at - 1, at):
            at -= 1  # back to the first character of the word (a run of the token class)
        found: list[Token] = []
        first = self._token_re.match(text, at)
        word_end = first.end() if first else at
        for match in self._token_re.finditer(text, at):
            base = match.start()
            word = self._word(match.group())
            for term, (start, end) in zip(word.exact, word.spans, strict=True):
                if base >= word_end:
                    if extra == 0:
                        return found
                    extra -= 1
                found.append(Token(term, base + start, base + end, len(found)))
        return found

    def tokens(self, text: str, *, stemmed: bool = True, stack: bool = True) -> list[Token]:
        """The stemmed (default) or exact tokens of `text`; see `analyse`."""
        return self.analyse(text, stack=stack)[0 if stemmed else 1]

    def terms(self, text: str, *, stemmed: bool = True, stack: bool = True) -> list[str]:
        """Just the terms, in order."""
        return [token.term for token in self.tokens(text, stemmed=stemmed, stack=stack)]


def _rebuilt(disabled: list[str], plural_stems: dict[str, str]) -> ArabicAnalyzer:
    analyzer = ArabicAnalyzer(disabled)
    analyzer.plural_stems = plural_stems
    return analyzer


DEFAULT = ArabicAnalyzer()
