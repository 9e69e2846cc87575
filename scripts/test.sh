#!/usr/bin/env bash
# The project's one test command (`make test` runs it; so does .ci/run): lint, start real
# Elasticsearch and OpenSearch nodes, run pytest against them, stop the nodes whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(python3 scripts/bootstrap_uv.py)}
uv() { $UV "$@"; }

bash scripts/browser_deps.sh ensure

uv run ruff check .
uv run ruff format --check .

# The optional accelerator when cargo is here, so its parity test runs (else it skips).
bash scripts/accel.sh

urls=$(uv run python scripts/nodes.py start)
trap 'uv run python scripts/nodes.py stop || true' EXIT
for assignment in $urls; do
  export "$assignment"
done
echo "engines: $urls" >&2

uv run pytest "$@"
