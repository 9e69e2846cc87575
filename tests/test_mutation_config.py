"""`make mutation` runs the tests in mutmut's copy of the tree (`mutants/`), which holds only what
`[tool.mutmut]` lists.  A test module that reads a file left out of that list breaks the whole
run at its first step (tests/test_compose.py reading docker-compose.yml did), long after `make
test` passed: here the same selection is collected in a copy made the same way."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
# What mutmut 3 copies whatever the configuration says.
ALWAYS_COPIED = ["tests", "pyproject.toml"]


def _copy(names: list[str], into: Path) -> None:
    for name in dict.fromkeys(names):  # once each: source_paths and also_copy overlap
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, into / name)


def test_the_mutation_test_selection_collects_in_mutmuts_copy(tmp_path: Path) -> None:
    _copy([*CONFIG["source_paths"], *CONFIG["also_copy"], *ALWAYS_COPIED], tmp_path)
    selection = [*CONFIG["pytest_add_cli_args_test_selection"], *CONFIG["pytest_add_cli_args"]]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", *selection],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " tests collected" in done.stdout or "selected" in done.stdout
