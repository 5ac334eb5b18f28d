#!/usr/bin/env bash
# Installs the system packages the test suite needs (build tools for llama-server, Debian's chromium for
# the dashboard's browser test, PostgreSQL for the store's tests), when missing.
# Uses apt-get when running as root on Debian/Ubuntu; otherwise says exactly what to install.
set -euo pipefail
need=()
command -v cmake >/dev/null || need+=(cmake)
command -v g++ >/dev/null || command -v clang++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v git >/dev/null || need+=(git)
# playwright-core drives this exact binary (test/dashboard-browser.test.ts).
[ -x /usr/bin/chromium ] || need+=(chromium fonts-dejavu-core)
# tmux gives the interactive Claude Code a terminal in the status-line test.
command -v tmux >/dev/null || need+=(tmux)
# PostgreSQL: the turn store's suite and the replica tests start a real server (test/support/postgres-server.ts).
command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ ${#need[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
else
  echo "missing: ${need[*]}. Install them, e.g.: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
