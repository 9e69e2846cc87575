"""The README's generated tables match what they describe: the Arabic rules and the limits (the
code), the relevance and start-up figures (the committed results in bench/results/)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from bench import readme as bench_readme
from searcher import limits, limits_table
from searcher.arabic import docs
from searcher.readme import README


def test_readme_rule_table_is_current() -> None:
    readme = README.read_text(encoding="utf-8")
    assert docs.BEGIN in readme and docs.END in readme
    assert docs.with_table(readme) == readme, "run `python -m searcher.arabic.docs`"


def test_readme_limits_table_is_current() -> None:
    readme = README.read_text(encoding="utf-8")
    assert limits_table.BEGIN in readme and limits_table.END in readme
    assert limits_table.with_table(readme) == readme, "run `python -m searcher.limits_table`"


def test_every_limit_is_in_the_table() -> None:
    constants = {
        name for name, value in vars(limits).items() if name.isupper() and isinstance(value, int)
    }
    documented = [entry.name for entry in limits.DOCUMENTED]
    assert sorted(documented) == sorted(constants), "describe the new limit in limits.DOCUMENTED"


def test_readme_result_tables_are_the_committed_results() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in bench_readme.TABLES:
        begin, end = bench_readme.markers(name)
        assert begin in readme and end in readme, f"the README lost its {name} table"
    assert bench_readme.with_tables(readme) == readme, "run `python bench/readme.py`"


def _mutation_script() -> ModuleType:
    path = Path(__file__).parents[1] / "scripts" / "mutation.py"
    spec = importlib.util.spec_from_file_location("mutation_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_mutation_report_has_the_current_notes() -> None:
    # A note written without re-rendering would leave its survivor "NOT JUSTIFIED" in the report.
    mutation = _mutation_script()
    results, report = mutation.render(*mutation.from_results())
    assert mutation.REPORT.read_text(encoding="utf-8") == report, (
        "run `python scripts/mutation.py --notes-only`"
    )
    assert mutation.RESULTS.read_text(encoding="utf-8") == results
