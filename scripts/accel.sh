#!/usr/bin/env bash
# Build and install the optional native accelerator (accel/, Rust + PyO3) into the project's
# environment.  searcher never needs it: without it the same walks run in Python with the same
# output (searcher/arabic/walk.py; tests/test_accel_parity.py compares them).  Without cargo
# this prints a note and succeeds, everywhere (CI included): no install may need Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(python3 scripts/bootstrap_uv.py)}

if ! command -v cargo >/dev/null 2>&1; then
  echo "accel: no cargo here, so searcher runs its pure-Python walks (same output, slower)" >&2
  exit 0
fi
# maturin (the build backend) comes from PyPI into uv's build environment; cargo builds the
# extension for this environment's Python.
$UV pip install --quiet ./accel
