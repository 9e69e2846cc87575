"""User query syntax → an engine-neutral plan.

The syntax is the small, forgiving one people know::

    words            every word must match (in the title or the body)
    "a phrase"       the words side by side, as written (matched on the unstemmed fields)
    -word -"phrase"  must not match
    a OR b           either one

Nothing here raises on odd input: an unbalanced quote runs to the end, a lone ``-`` or ``OR`` is
ignored, punctuation is left to the analyzer.  Engines never see the user's string as query
syntax (no `query_string`), so there is nothing to inject.

Each engine renders the plan in its own words (`engines/wire.py` for Elasticsearch/OpenSearch,
`engines/embedded.py` for tantivy) with the SAME fields and boosts, so rankings agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import regex

from searcher.arabic import ArabicAnalyzer
from searcher.filters import NO_FILTERS, Filters
from searcher.limits import PARSE_MAX_QUERY_CHARS

# (field, boost) a word is looked for in; a hit's score is the best field plus TIE_BREAKER × the
# others (dis_max / multi_match best_fields).  The exact (unstemmed) fields reward the very form
# the user typed without being required.
WORD_FIELDS: tuple[tuple[str, float], ...] = (
    ("title", 3.0),
    ("body", 1.0),
    ("title.exact", 1.5),
    ("body.exact", 0.5),
)
# Stop words and quoted phrases are matched on the exact fields only.
EXACT_FIELDS: tuple[tuple[str, float], ...] = (("title.exact", 3.0), ("body.exact", 1.0))
TIE_BREAKER = 0.3

Kind = Literal["word", "exact_word", "phrase"]

_PIECES = regex.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One thing to match.  `text` is what the user typed; engines analyse it themselves."""

    kind: Kind
    text: str
    # The Python analysis of `text` (stemmed terms for words, exact terms otherwise), and its
    # exact analysis: the embedded engine queries each field with the terms that field holds,
    # as Elasticsearch does by analysing the query with the field's own analyzer.
    terms: tuple[str, ...]
    exact_terms: tuple[str, ...]
    # Multiplies the clause's field boosts: below 1 for a close spelling standing in for a word
    # the user typed (`typos.py`), so documents holding the word as typed rank first.
    weight: float = 1.0

    def fields(self) -> tuple[tuple[str, float], ...]:
        return WORD_FIELDS if self.kind == "word" else EXACT_FIELDS

    def terms_for(self, field: str) -> tuple[str, ...]:
        return self.exact_terms if field.endswith(".exact") else self.terms


@dataclass
class QueryPlan:
    """Groups are AND-ed; the clauses inside one group are OR-ed; `excluded` must not match;
    `filters` restrict the documents without changing how they rank.

    A relaxed plan (`recovery.py`) sets `minimum_groups`: then only that many groups must match,
    and a document matching more of them scores higher (each adds its BM25 score).

    A plan with no groups matches nothing, unless it has filters: then it matches every document
    they let through (a site's "all news tagged سياسة", Meilisearch's placeholder search).
    """

    text: str
    groups: list[list[Clause]] = field(default_factory=list)
    excluded: list[Clause] = field(default_factory=list)
    minimum_groups: int | None = None  # None: every group
    filters: Filters = NO_FILTERS

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no words, and no filters to list documents by."""
        return not self.groups and self.filters.empty

    @property
    def browses(self) -> bool:
        """No words, but filters: every document the filters let through matches."""
        return not self.groups and not self.filters.empty

    def without(self, index: int) -> QueryPlan:
        """The same plan with group `index` left out."""
        kept = self.groups[:index] + self.groups[index + 1 :]
        return replace(self, groups=kept, minimum_groups=None)

    def any_group(self) -> QueryPlan:
        """The same plan where one matching group is enough."""
        return replace(self, minimum_groups=1)

    def only(self, index: int) -> QueryPlan:
        """Group `index` alone (exclusions and filters kept)."""
        return replace(self, groups=[self.groups[index]], minimum_groups=None)

    def with_groups(self, groups: list[list[Clause]]) -> QueryPlan:
        """The same plan looking for other groups (a corrected spelling: `typos.py`)."""
        return replace(self, groups=groups, minimum_groups=None)


def group_text(group: list[Clause]) -> str:
    """What the user typed for one group: «a» or «a OR b»."""
    return " OR ".join(clause.text for clause in group)


def clause(text: str, quoted: bool, analyzer: ArabicAnalyzer) -> Clause | None:
    stemmed_tokens, exact_tokens = analyzer.analyse(text, stack=False)
    exact = tuple(t.term for t in exact_tokens)
    stemmed = tuple(t.term for t in stemmed_tokens)
    if not exact:
        return None
    if quoted:
        return Clause("exact_word" if len(exact) == 1 else "phrase", text, exact, exact)
    if stemmed:
        return Clause("word", text, stemmed, exact)
    return Clause("exact_word", text, exact, exact)  # a stop word: match it as written


def parse(text: str, analyzer: ArabicAnalyzer, filters: Filters = NO_FILTERS) -> QueryPlan:
    """Turn what a user typed into a plan (restricted by `filters`).  Never raises."""
    text = text[:PARSE_MAX_QUERY_CHARS]  # longer input is cut, never an error
    plan = QueryPlan(text=text, filters=filters)
    join_next = False
    for match in _PIECES.finditer(text):
        negated_quote, quoted, bare = match.groups()
        if bare == "OR":
            join_next = bool(plan.groups)
            continue
        negated = bool(negated_quote) or (bare is not None and bare.startswith("-"))
        content = quoted if quoted is not None else bare.lstrip("-")
        found = clause(content, quoted is not None, analyzer)
        if found is None:
            continue
        if negated:
            plan.excluded.append(found)
        elif join_next:
            plan.groups[-1].append(found)
        else:
            plan.groups.append([found])
        join_next = False
    return plan


@dataclass(frozen=True)
class HighlightTerms:
    """What a snippet marks: a word wherever it occurs (as stemmed or as exact term), a phrase
    only where its words stand side by side, as the engines' highlighters mark them."""

    stemmed: frozenset[str]
    exact: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]


def highlight_terms(plan: QueryPlan) -> HighlightTerms:
    """The terms and phrases of the plan's positive clauses (exclusions never match a hit)."""
    stemmed: set[str] = set()
    exact: set[str] = set()
    phrases: list[tuple[str, ...]] = []
    for group in plan.groups:
        for clause in group:
            if clause.kind == "phrase":
                phrases.append(clause.exact_terms)
                continue
            if clause.kind == "word":
                stemmed.update(clause.terms)
            exact.update(clause.exact_terms)
    return HighlightTerms(frozenset(stemmed), frozenset(exact), tuple(phrases))
