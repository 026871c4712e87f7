#!/usr/bin/env bash
# The sandbox's browser test: builds danvan, starts `danvan demo -reset` on
# a free port with a fresh data directory, and clicks through the whole
# loop in headless Chromium (Debian's package), saving a screenshot at
# every step. Exits non-zero on any failure.
#
#   scripts/browser/run.sh [SCREENSHOT_DIR]     (default: scripts/browser/screenshots)
#
# DANVAN_BINARY=path tests that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")"
shots=$(realpath -m "${1:-screenshots}")

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# The sandbox runs its own PostgreSQL from the server binaries.
command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
# The bot's messages use emoji; without a colour emoji font they show as boxes.
{ command -v fc-list >/dev/null 2>&1 && fc-list | grep -qi emoji; } || missing+=(fonts-noto-color-emoji)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm install --no-audit --no-fund --silent >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work" # under root the private PostgreSQL runs as the postgres user
bin=${DANVAN_BINARY:-$work/danvan}
[ -n "${DANVAN_BINARY:-}" ] || go build -o "$bin" ../../cmd/danvan
rm -rf "$shots"
node sandbox.mjs "$bin" "$work/data" "$shots"
