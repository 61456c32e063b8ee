#!/usr/bin/env bash
# Installs everything the project needs from its own files: npm packages (exact versions from
# package-lock.json), the TypeScript build, and the Pulumi engine (found on PATH or built from Go
# modules). Prints, as its last line, the folder holding the engine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v node >/dev/null || { echo "install: error: Node.js 20+ is needed (apt-get install nodejs npm)" >&2; exit 1; }
# npm ci only when the lockfile differs from the one node_modules was installed from.
stamp="node_modules/.install-stamp"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "install: npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$want" > "$stamp"
fi
echo "install: building TypeScript" >&2
npx tsc -p tsconfig.json >&2
node scripts/link-self.js
bash scripts/ensure-pulumi | tail -n 1
