"""The scripts a new user runs first: bootstrap, the demo, and the test run's own checks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEBIAN_PYTHON = Path("/usr/bin/python3")


@pytest.mark.skipif(not DEBIAN_PYTHON.exists(), reason="no system Python at /usr/bin/python3")
def test_bootstrap_fetches_uv_with_a_stock_debian_python(tmp_path: Path) -> None:
    # Debian/Ubuntu's Python refuses `pip install` (PEP 668); `make` must still get uv.  No uv on
    # PATH, none in that Python, an empty cache: the script fetches uv's wheel from PyPI.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SEARCHER_UV_CACHE": str(tmp_path)}
    assert (
        subprocess.run(
            [DEBIAN_PYTHON, "-m", "uv", "--version"], env=env, capture_output=True
        ).returncode
        != 0
    )
    done = subprocess.run(
        [DEBIAN_PYTHON, ROOT / "scripts" / "bootstrap_uv.py"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    uv = Path(done.stdout.strip())
    assert uv.is_relative_to(tmp_path) and uv.is_file()
    version = subprocess.run([uv, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("uv ")


def test_make_demo_takes_a_quoted_phrase_as_the_readme_shows(tmp_path: Path) -> None:
    # The README's `make demo QUERY='"الرئيس الروسي"'` once died with "Got unexpected extra
    # argument": the Makefile quoted the query a second time.
    env = {**os.environ, "SEARCHER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        ["make", "-s", "demo", 'QUERY="الرئيس الروسي"'],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "hits for '\"الرئيس الروسي\"'" in done.stdout
    assert "2 hits" in done.stdout  # as a phrase: two documents hold the words side by side


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_browser_dependency_check_is_stable() -> None:
    # `fc-list | grep -qi amiri` under pipefail failed on about two runs in five (SIGPIPE), so
    # every test run reinstalled Chromium with apt.  With everything present it must always pass.
    results = [
        subprocess.run(["bash", ROOT / "scripts" / "browser_deps.sh", "check"]).returncode
        for _ in range(20)
    ]
    assert results == [0] * 20
