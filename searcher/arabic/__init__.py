"""The Arabic analysis: one rule table (`rules`), executed in Python (`analyse`), stemmed (`stem`).

`normalise`, `tokens` and `terms` use the default rules; build an `ArabicAnalyzer` with
``disabled=`` to switch rules off.
"""

from searcher.arabic.analyse import DEFAULT, ArabicAnalyzer, Token
from searcher.arabic.rules import RULES, Rule
from searcher.arabic.stem import stem

normalise = DEFAULT.normalise
tokens = DEFAULT.tokens
terms = DEFAULT.terms

__all__ = [
    "DEFAULT",
    "RULES",
    "ArabicAnalyzer",
    "Rule",
    "Token",
    "normalise",
    "stem",
    "terms",
    "tokens",
]
