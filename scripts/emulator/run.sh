#!/usr/bin/env bash
# Builds danvan and files a petition through the telegram-test-api emulator.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --silent >/dev/null
go build -o "${TMPDIR:-/tmp}/danvan-emulator-check" ../../cmd/danvan
node check.mjs "${TMPDIR:-/tmp}/danvan-emulator-check"
