#!/usr/bin/env bash
# Run a command with the test nodes up (started if needed) and their URLs exported.
set -euo pipefail
cd "$(dirname "$0")/.."
for assignment in $(python3 -m uv run python scripts/nodes.py start); do
  export "$assignment"
done
exec "$@"
