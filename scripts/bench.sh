#!/usr/bin/env bash
# `npm run bench`: builds, makes sure the engine is there, runs bench/run.ts.
# BENCH_SIZES=100,200,400 (resources per `up`), BENCH_KEYS=100000, BENCH_SECONDS=5 override.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
npx tsc -p tsconfig.json
node scripts/link-self.js
bin="$(bash scripts/ensure-pulumi | tail -1)"
export PATH="$bin:$PATH"
mkdir -p .tmp bench/results
exec npx ts-node --transpile-only -P tsconfig.test.json bench/run.ts
