"""Display forms: each indexed word as a reader would type it, for suggestions and "did you mean".

The index holds normalised terms («الصلاه», «مسءول»), which no reader writes.  What a suggestion
shows instead is the word as the documents spell it, cleaned the way a reader types:

- modern text keeps its letters (ة, ى, أ, ؤ stay) and loses its diacritics, tatweel and
  invisible marks: «المدرسةِ» → «المدرسة»;
- Uthmani (Quranic) spellings are written in their standard form by the rule table's own
  Uthmani rules, without its letter folding: «ٱلصَّلَوٰةَ» → «الصلاة», «ٱلۡكِتَٰبُ» → «الكتاب»,
  «ذَٰلِكَ» → «ذلك» (the word rules, whose outputs the table writes in standard spelling).

A form is kept only if the analysis reads it back as the same term; otherwise the term itself is
shown.  The dictionary (`searcher/dictionary.py`) counts documents per (term, form) and shows
the most frequent form of each term.
"""

from __future__ import annotations

import regex

from searcher.arabic import rules as rule_table
from searcher.arabic.analyse import ArabicAnalyzer

# The rules that fold letters a reader types (أ to ا, ة to ه, ى to ي, ؤ to ء, case, digits): a
# display form keeps them.  Every other rule (marks, tatweel, the Uthmani spellings) applies.
_LETTER_FOLDS = frozenset(
    {"alef_forms", "alef_maksura", "teh_marbuta", "hamza_carriers", "lowercase", "digits"}
)
# Modern text only loses what a reader never types.
_MARKS = ("harakat", "quranic_marks", "tatweel", "invisible_marks", "presentation_forms")
# Characters only the Quranic script writes (superscript alef, alef wasla, Quranic marks, a
# hamza on a kashida): a word with one of them is Uthmani and gets the Uthmani rules too.
_UTHMANI = regex.compile("[\u0670\u0671\u0653-\u065f\u06d6-\u06ed\u08d3-\u08ff]|\u0640\u0654")
_WASLA = str.maketrans({"\u0671": "\u0627"})  # standard text writes alef wasla as a plain alef


class DisplayForms:
    """Display forms for one analysis (`analyzer`: the rules the index was built with)."""

    def __init__(self, analyzer: ArabicAnalyzer) -> None:
        self.analyzer = analyzer
        enabled = {rule.name for rule in analyzer.rules}
        marks = [rule.mapping for rule in analyzer.rules if rule.name in _MARKS]
        self._modern = str.maketrans({ch: out for mapping in marks for ch, out in mapping.items()})
        self._uthmani = ArabicAnalyzer(
            disabled=analyzer.disabled | (_LETTER_FOLDS & enabled) | {"uthmani_words"}
        )
        # (pattern over a folded word, its output as standard text spells it)
        self._word_rules = [
            (regex.compile(pattern), rule_table.RULES_BY_NAME["uthmani_words"].mapping[word])
            for (pattern, _), word in zip(
                analyzer.word_patterns, sorted(analyzer.word_rules), strict=True
            )
        ]

    def of_run(self, run: str) -> list[tuple[str, str]]:
        """(exact term, display form) for each term of one run of word characters."""
        return [
            (term, self.of_word(surface, term))
            for term, surface in self.analyzer.surface_terms(run)
        ]

    def of_word(self, surface: str, term: str) -> str:
        """`surface` (one word as written) as a reader types it, or `term` if the analysis would
        not read that form back as `term`."""
        form = self._standard(surface)
        if form in (surface, term):  # as written, or as indexed: nothing to check
            return form
        return form if self.analyzer.terms(form, stemmed=False) == [term] else term

    def _standard(self, surface: str) -> str:
        if not _UTHMANI.search(surface):
            return surface.translate(self._modern)
        form = self._uthmani.normalise(surface).translate(_WASLA)
        return self._standard_word(form)

    def _standard_word(self, form: str) -> str:
        """A whole word the Uthmani script spells its own way, in the standard spelling the
        rule table gives it (ذالك → ذلك, فأولائك → فأولئك), clitics kept as written."""
        folded = self.analyzer.fold(form)
        if len(folded) != len(form):  # the letters would not line up
            return form
        for pattern, standard in self._word_rules:
            match = pattern.match(folded)
            if match:
                return form[: match.end(1)] + standard + form[match.start(2) :]
        return form
