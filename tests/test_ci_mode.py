"""Under CI, a test whose engine node or browser is missing FAILS; on a laptop it skips.

Run for real: pytest in a subprocess, with the node URLs removed, under each value CI systems
use for CI, and `.ci/run` with a stand-in `make` that reports the CI it was given.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
ENGINE_TEST = "tests/test_tls.py::test_searcher_ca_file_from_the_environment"
BROWSER_TEST = "tests/test_widget_browser.py::test_typing_arabic_shows_highlighted_results"


def pytest_run(test: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("SEARCHER_TEST_")
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("ci", ["true", "1", "yes", "True"])
def test_a_missing_engine_fails_under_any_ci_value(ci: str) -> None:
    done = pytest_run(ENGINE_TEST, CI=ci)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "CI requires it: no opensearch node" in done.stdout
    assert "1 failed" in done.stdout or "1 error" in done.stdout


@pytest.mark.parametrize("ci", [None, ""], ids=["unset", "empty"])
def test_a_missing_engine_skips_outside_ci(ci: str | None) -> None:
    done = pytest_run(ENGINE_TEST, **({} if ci is None else {"CI": ci}))
    assert done.returncode == 0, done.stdout[-2000:]
    assert "1 skipped" in done.stdout


def test_a_missing_browser_fails_under_ci() -> None:
    done = pytest_run(BROWSER_TEST, CI="1", SEARCHER_TEST_CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 1, done.stdout[-2000:]
    assert "CI requires it: chromium is not installed" in done.stdout


def test_ci_run_forces_ci_on(tmp_path: Path) -> None:
    make = tmp_path / "make"
    make.write_text('#!/bin/sh\necho "make $* with CI=$CI"\n')
    make.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "CI": "0"}
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "make test with CI=true"
