"""Installs stay small: camel-tools' ML stack (torch, transformers, ...) is never installed.

camel-tools is the reference our Arabic rules are checked against, so it lives in the dev group
only; the runtime package never imports it.  Two routes are proved: the locked uv environment
(what `make test` runs in) and a plain `pip install` of the built wheel into a fresh venv, which
knows nothing of `[tool.uv]` overrides.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ["torch", "transformers", "camel-kenlm", "scikit-learn", "pandas", "scipy", "numpy"]


@pytest.mark.parametrize("distribution", HEAVY)
def test_heavy_dependency_is_not_installed(distribution: str) -> None:
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version(distribution)


def test_torch_cannot_be_imported() -> None:
    assert importlib.util.find_spec("torch") is None
    assert importlib.util.find_spec("transformers") is None


def test_camel_tools_utilities_work_without_them() -> None:
    from camel_tools.utils.dediac import dediac_ar

    assert importlib.metadata.version("camel-tools")
    assert dediac_ar("مُدَرِّسٌ") == "مدرس"


def test_the_package_never_imports_camel_tools() -> None:
    sources = [p for p in (ROOT / "searcher").rglob("*.py")]
    assert sources
    assert [p for p in sources if "camel_tools" in p.read_text(encoding="utf-8")] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.fixture(scope="module")
def pip_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed by plain pip (no uv anywhere): its bin directory."""
    where = tmp_path_factory.mktemp("pip-install")
    env_dir = where / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(where), str(ROOT)], check=True)
    (wheel,) = where.glob("searcher-*.whl")
    subprocess.run([*pip, "install", str(wheel)], check=True)
    return env_dir / "bin"


def test_pip_install_brings_no_torch_and_no_camel_tools(pip_installed: Path) -> None:
    listed = subprocess.run(
        [str(pip_installed / "python"), "-m", "pip", "list", "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    names = {package["name"].lower() for package in json.loads(listed)}
    assert "searcher" in names
    assert names.isdisjoint({*HEAVY, "camel-tools"}), names & {*HEAVY, "camel-tools"}


def test_the_pip_installed_searcher_indexes_searches_and_serves(
    pip_installed: Path, tmp_path: Path
) -> None:
    searcher = str(pip_installed / "searcher")
    env = {**os.environ, "SEARCHER_DATA_DIR": str(tmp_path / "data"), "SEARCHER_INDEX": "sample"}
    env.pop("VIRTUAL_ENV", None)
    # The sample corpus ships inside the wheel, like the widget.
    locate = (
        "import importlib.resources as r; "
        "print(r.files('searcher') / 'data' / 'sample_corpus.jsonl')"
    )
    sample = subprocess.run(
        [
            str(pip_installed / "python"),
            "-c",
            locate,
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.strip()
    subprocess.run([searcher, "index", sample], check=True, env=env, cwd=tmp_path)
    found = subprocess.run(
        [searcher, "search", "الرحمن", "--json"],
        check=True,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert json.loads(found.stdout)["total"] > 0

    port = _free_port()
    server = subprocess.Popen(
        [searcher, "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stderr.read().decode()) from None
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["documents"] > 0
        for asset in ("/static/widget.js", "/static/widget.css", "/"):
            status, body = _get(f"http://127.0.0.1:{port}{asset}")
            assert status == 200 and body
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__]))
