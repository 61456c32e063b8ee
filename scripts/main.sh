#!/usr/bin/env bash
# The README's main job: install (npm packages, build, Pulumi engine), start writer-local
# unless one already answers, and `pulumi up` the quickstart (root Pulumi.yaml) into a local
# file backend, then print the stack's outputs. writer-local keeps running afterwards so you can
# use the key; `npm run destroy` (this script with "destroy") removes what the quickstart made.
# WRITER_MAIN_STOP=1 stops writer-local at the end.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="$(bash scripts/install.sh)"
export PATH="$bin:$PATH"
export WRITER_BASE_URL="${WRITER_BASE_URL:-http://127.0.0.1:8787}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$root/.pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p .pulumi-state

started=""
if ! curl -fsS "$WRITER_BASE_URL/healthz" >/dev/null 2>&1; then
  port="${WRITER_BASE_URL##*:}"
  node dist/server/cli.js serve --port "$port" --data-dir .writer-local >.writer-local.log 2>&1 &
  started=$!
  for _ in $(seq 1 100); do curl -fsS "$WRITER_BASE_URL/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  curl -fsS "$WRITER_BASE_URL/healthz" >/dev/null || { cat .writer-local.log >&2; exit 1; }
  echo "main: started writer-local (pid $started) at $WRITER_BASE_URL, data in .writer-local/, log in .writer-local.log"
fi

# The quickstart's credentials: the local server's generated admin token, unless you set one.
if [ -z "${WRITER_ADMIN_TOKEN:-}" ] && [ -f .writer-local/admin-token ]; then
  WRITER_ADMIN_TOKEN="$(node dist/server/cli.js token --data-dir .writer-local)"
  export WRITER_ADMIN_TOKEN
fi

pulumi stack select dev --create --non-interactive >/dev/null
if [ "${1:-up}" = "destroy" ]; then
  pulumi destroy --yes --non-interactive --skip-preview
else
  pulumi up --yes --non-interactive --skip-preview
  echo
  echo "Stack outputs (secrets hidden; add --show-secrets to see the key):"
  pulumi stack output
  echo
  echo "To run pulumi on this stack yourself (e.g. 'pulumi stack output supportKey --show-secrets'):"
  echo "  export PATH=\"$bin:\$PATH\" PULUMI_BACKEND_URL=\"$PULUMI_BACKEND_URL\" PULUMI_CONFIG_PASSPHRASE=\"$PULUMI_CONFIG_PASSPHRASE\" WRITER_ADMIN_TOKEN=\"\$(npx writer-local token)\""
fi

if [ -n "$started" ]; then
  if [ -n "${WRITER_MAIN_STOP:-}" ]; then kill "$started"; else
    echo "writer-local is still running (pid $started): 'npm run destroy' removes what was made; 'kill $started' stops it."
  fi
fi
