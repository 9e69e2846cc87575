"""Search-as-you-type: complete the word being typed from the index's word dictionary.

The last word of the input is normalised («الص», «أح» → «اح») and looked up in the dictionary
(`dictionary.py`): the words starting with it, or with it after a clitic (و، ب، ال، وال…), most
documents first.  Each is shown in the spelling readers type (`arabic/display.py`): «الص»
offers «الصلاة», never the Uthmani «ٱلصَّلَوٰةِ» or the normalised «الصلاه».

A lookup costs microseconds: the dictionary is built once per index change, not per keystroke,
and every engine builds it the same way from its own index, so every engine suggests alike.
"""

from __future__ import annotations

from searcher import dictionary
from searcher.arabic import ArabicAnalyzer
from searcher.engines.base import Engine
from searcher.limits import SUGGEST_MIN_PREFIX

DEFAULT_SIZE = 8


def last_word(analyzer: ArabicAnalyzer, text: str) -> str | None:
    """The normalised word being typed (the last of `text`), or None when it is too short."""
    words = analyzer.terms(text[-200:], stemmed=False)  # the last word is all that matters
    if not words or len(words[-1]) < SUGGEST_MIN_PREFIX:
        return None
    return words[-1]


def suggest(
    engine: Engine, index: str, analyzer: ArabicAnalyzer, text: str, size: int = DEFAULT_SIZE
) -> list[str]:
    """Up to `size` completions of the last word of `text`, most frequent first."""
    return complete(dictionary.of(engine, index), analyzer, text, size)


def complete(
    words: dictionary.Dictionary, analyzer: ArabicAnalyzer, text: str, size: int = DEFAULT_SIZE
) -> list[str]:
    """`suggest` on a dictionary at hand (the API's event loop calls this directly)."""
    prefix = last_word(analyzer, text)
    if prefix is None:
        return []
    return list(dict.fromkeys(word.form for word in words.complete(prefix, size)))
