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
# Tools only the tests use, built before jest so a cold build (minutes of Go) runs outside any test's
# timeout: @pulumi/random's plugin, the Python venv, gensdk (by generating into a scratch folder).
{ bash scripts/ensure-random >/dev/null && bash scripts/ensure-python-venv >/dev/null \
  && rm -rf .tmp/pysdk-warm && bash scripts/gen-python-sdk .tmp/pysdk-warm >/dev/null 2>&1; } \
  || { echo "test: preparing the test tools failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f .tmp/jest-results.json
npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@"
code=$?
node scripts/lib/totals.js .tmp/jest-results.json
exit $code
