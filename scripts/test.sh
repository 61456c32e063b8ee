#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs every test project (unit,
# server, integration through the real engine, reliability) and prints `N passed, M failed`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="$(bash scripts/install.sh)" || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$bin:$PATH"
# The console's browser tests drive Debian's Chromium; installed here when missing.
WRITER_CHROMIUM="$(bash scripts/ensure-chromium | tail -n 1)" || { echo "0 passed, 1 failed"; exit 1; }
export WRITER_CHROMIUM
mkdir -p .tmp
rm -f .tmp/jest-results.json
npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@"
code=$?
node scripts/lib/totals.js .tmp/jest-results.json
exit $code
