#!/usr/bin/env python3
"""Print a command that runs uv, fetching uv first if this machine has none.

    UV := $(shell python3 scripts/bootstrap_uv.py)      # what the Makefile does

In order: `uv` on PATH; `python3 -m uv` (uv installed into this Python); else uv's own wheel
from PyPI, checked against the SHA-256 PyPI publishes for it, unpacked once into
``$SEARCHER_UV_CACHE`` (default ``~/.cache/searcher/uv/<version>/uv``).  No pip, no venv: Debian
and Ubuntu's Python refuses `pip install` outside a venv (PEP 668 "externally-managed-
environment"), and python3-venv is often missing.  Stdlib only.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urljoin

INDEX = "https://pypi.org/pypi/uv/json"
UV_VERSION = "0.13.9"  # the one the lock file was made with; any recent uv reads it
CACHE = Path(os.environ.get("SEARCHER_UV_CACHE", Path.home() / ".cache" / "searcher" / "uv"))
# Wheel platform tags per (sys.platform, machine): uv publishes one binary wheel for each.
WHEEL_TAGS = {
    ("linux", "x86_64"): "manylinux_2_17_x86_64",
    ("linux", "aarch64"): "manylinux_2_17_aarch64",
    ("darwin", "arm64"): "macosx_11_0_arm64",
    ("darwin", "x86_64"): "macosx_10_12_x86_64",
}


def _works(command: list[str]) -> bool:
    try:
        done = subprocess.run([*command, "--version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _download_uv() -> Path:
    target = CACHE / UV_VERSION / "uv"
    if target.is_file():
        return target
    tag = WHEEL_TAGS.get((sys.platform, platform.machine()))
    if tag is None:
        raise SystemExit(
            f"bootstrap: no uv wheel known for {sys.platform}/{platform.machine()}: install uv "
            "(https://docs.astral.sh/uv/) and rerun"
        )
    try:
        with urllib.request.urlopen(INDEX, timeout=60) as r:
            files = json.load(r)["releases"][UV_VERSION]
        (wheel,) = [f for f in files if f["filename"].endswith(".whl") and tag in f["filename"]]
        print(f"bootstrap: fetching {wheel['filename']} from PyPI", file=sys.stderr)
        # Mirrors may answer with a relative address: resolve it against the index.
        with urllib.request.urlopen(urljoin(INDEX, wheel["url"]), timeout=300) as r:
            data = r.read()
    except (OSError, KeyError, ValueError) as error:
        raise SystemExit(f"bootstrap: could not fetch uv {UV_VERSION} from PyPI: {error}") from None
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        raise SystemExit(f"bootstrap: checksum mismatch for {wheel['filename']}")
    target.parent.mkdir(parents=True, exist_ok=True)
    archive = target.parent / wheel["filename"]
    archive.write_bytes(data)
    with zipfile.ZipFile(archive) as zf:
        (member,) = [n for n in zf.namelist() if n.endswith("/scripts/uv")]
        partial = target.with_suffix(".partial")
        partial.write_bytes(zf.read(member))
    archive.unlink()
    partial.chmod(0o755)
    partial.rename(target)
    return target


def uv_command() -> str:
    on_path = shutil.which("uv")
    if on_path and _works([on_path]):
        return on_path
    if _works([sys.executable, "-m", "uv"]):
        return f"{sys.executable} -m uv"
    return str(_download_uv())


if __name__ == "__main__":
    print(uv_command())
