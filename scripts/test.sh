#!/usr/bin/env bash
# The project's one test command (`make test` runs it; so does .ci/run): lint, start real
# Elasticsearch and OpenSearch nodes, run pytest against them, stop the nodes whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
uv() { python3 -m uv "$@"; }

# The widget's browser test drives Debian's Chromium (a browser cannot download itself here);
# Amiri renders Quranic marks in its screenshot.  Installed once, when we may.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi amiri; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium and fonts-hosny-amiri (apt)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-hosny-amiri >/dev/null
  else
    echo "chromium missing: the browser test will skip (and fail under CI=true)" >&2
  fi
fi

uv run ruff check .
uv run ruff format --check .

urls=$(uv run python scripts/nodes.py start)
trap 'uv run python scripts/nodes.py stop || true' EXIT
for assignment in $urls; do
  export "$assignment"
done
echo "engines: $urls" >&2

uv run pytest "$@"
