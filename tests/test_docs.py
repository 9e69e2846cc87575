"""The README's rule table is generated from the rule table."""

from __future__ import annotations

from searcher.arabic import docs


def test_readme_rule_table_is_current() -> None:
    readme = docs.README.read_text(encoding="utf-8")
    assert docs.BEGIN in readme and docs.END in readme
    assert docs.with_table(readme) == readme, "run `python -m searcher.arabic.docs`"
