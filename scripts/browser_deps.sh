#!/usr/bin/env bash
# The widget's browser test drives Debian's Chromium (a browser cannot download itself here);
# Amiri renders Quranic marks in its screenshot.
#
#   bash scripts/browser_deps.sh check     # exit 0 when both are present (no network needed)
#   bash scripts/browser_deps.sh ensure    # install them with apt when missing and we are root
set -euo pipefail

present() {
  command -v chromium >/dev/null 2>&1 || return 1
  # `fc-list PATTERN` lists only matching fonts; no pipe into `grep -q`, which under pipefail
  # failed whenever grep quit early and fc-list died of SIGPIPE (the check said "missing" and
  # apt ran on most test runs).
  [ -n "$(fc-list Amiri family 2>/dev/null)" ]
}

case "${1:-check}" in
  check) present ;;
  ensure)
    present && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing chromium and fonts-hosny-amiri (apt)" >&2
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-hosny-amiri >/dev/null
    else
      echo "chromium or Amiri missing: the browser test will skip (and fail under CI)" >&2
    fi
    ;;
  *) echo "usage: $0 check|ensure" >&2; exit 2 ;;
esac
