#!/usr/bin/env bash
# Run a command with the test nodes up (started if needed) and their URLs exported.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=${UV:-$(python3 scripts/bootstrap_uv.py)}
for assignment in $($UV run python scripts/nodes.py start); do
  export "$assignment"
done
exec "$@"
