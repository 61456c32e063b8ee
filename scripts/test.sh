#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs every test project (fresh, unit,
# server, integration through the real engine, reliability, ...) and prints `N passed, M failed`.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="$(bash scripts/install.sh)" || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$bin:$PATH"
# The console's browser tests drive Debian's Chromium; installed here when missing.
WRITER_CHROMIUM="$(bash scripts/ensure-chromium | tail -n 1)" || { echo "0 passed, 1 failed"; exit 1; }
export WRITER_CHROMIUM
# The metrics test checks /metrics with Prometheus's promtool; installed here when missing.
WRITER_PROMTOOL="$(bash scripts/ensure-promtool | tail -n 1)" || { echo "0 passed, 1 failed"; exit 1; }
export WRITER_PROMTOOL
mkdir -p .tmp
# Tools only the tests use, built before jest so a cold build (minutes of Go) runs outside any test's
# timeout: @pulumi/random's plugin, the Python venv, gensdk (by generating into a scratch folder).
{ bash scripts/ensure-random >/dev/null && bash scripts/ensure-python-venv >/dev/null \
  && rm -rf .tmp/pysdk-warm && bash scripts/gen-python-sdk .tmp/pysdk-warm >/dev/null 2>&1; } \
  || { echo "test: preparing the test tools failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f .tmp/jest-*.json
if [ $# -gt 0 ]; then
  npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@"
  code=$?
  results=(.tmp/jest-results.json)
else
  # The fresh-machine project (tool scripts on an empty Go module cache: downloads and links) runs
  # alone first, so it never competes for the two cores with tests that have time bounds.
  npx jest --ci --selectProjects fresh --json --outputFile=.tmp/jest-fresh.json
  code=$?
  others=$(node -e 'console.log(require("./jest.config.js").projects.map((p) => p.displayName).filter((n) => n !== "fresh").join(" "))')
  # shellcheck disable=SC2086
  npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json --selectProjects $others
  rest=$?
  [ $code -eq 0 ] && code=$rest
  results=(.tmp/jest-fresh.json .tmp/jest-results.json)
fi
node scripts/lib/totals.js "${results[@]}"
exit $code
