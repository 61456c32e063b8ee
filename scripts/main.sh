#!/usr/bin/env bash
# The README's main job: install (npm packages, build, Pulumi engine), start writer-local
# unless one already answers at WRITER_BASE_URL, and `pulumi up` the quickstart (root Pulumi.yaml)
# into a local file backend, then print the stack's outputs. writer-local keeps running afterwards
# so you can use the key; `npm run destroy` (this script with "destroy") removes what the
# quickstart made. WRITER_MAIN_STOP=1 stops writer-local at the end; a failed `up` stops it too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="$(bash scripts/install.sh)"
export PATH="$bin:$PATH"
export WRITER_BASE_URL="${WRITER_BASE_URL:-http://127.0.0.1:8787}"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$root/.pulumi-state}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
data_dir="${WRITER_LOCAL_DATA_DIR:-.writer-local}"
mkdir -p .pulumi-state

read -r scheme host port loopback < <(node scripts/lib/base-url.js "$WRITER_BASE_URL")
base="${WRITER_BASE_URL%/}"

# Node's fetch, not curl: a new machine has Node.js but not always curl.
healthy() { node -e 'fetch(process.argv[1] + "/healthz").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$base"; }

started=""
stop_started() { if [ -n "$started" ]; then kill "$started" 2>/dev/null || true; started=""; fi; }
# On any failure, the server this script started goes away with it.
trap 'code=$?; if [ $code -ne 0 ]; then stop_started; fi' EXIT

if ! healthy; then
  if [ "$scheme" != "http" ] || [ "$loopback" != "yes" ]; then
    echo "main: nothing answers at $base, and writer-local is only started here for an http loopback URL: start your server or unset WRITER_BASE_URL" >&2
    exit 1
  fi
  node dist/server/cli.js serve --host "$host" --port "$port" --data-dir "$data_dir" >.writer-local.log 2>&1 &
  started=$!
  for _ in $(seq 1 150); do healthy && break; kill -0 "$started" 2>/dev/null || break; sleep 0.2; done
  healthy || { echo "main: writer-local did not answer at $base/healthz; its log:" >&2; cat .writer-local.log >&2; exit 1; }
  echo "main: started writer-local (pid $started) at $base, data in $data_dir/, log in .writer-local.log"
fi

# The quickstart's credentials: the local server's generated admin token, unless you set one.
if [ -z "${WRITER_ADMIN_TOKEN:-}" ] && [ -f "$data_dir/admin-token" ]; then
  WRITER_ADMIN_TOKEN="$(node dist/server/cli.js token --data-dir "$data_dir")"
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
  echo "  export PATH=\"$bin:\$PATH\" PULUMI_BACKEND_URL=\"$PULUMI_BACKEND_URL\" PULUMI_CONFIG_PASSPHRASE=\"$PULUMI_CONFIG_PASSPHRASE\" WRITER_ADMIN_TOKEN=\"\$(npx writer-local token --data-dir $data_dir)\""
fi

if [ -n "$started" ]; then
  if [ -n "${WRITER_MAIN_STOP:-}" ]; then stop_started; else
    echo "writer-local is still running (pid $started): 'npm run destroy' removes what was made; 'kill $started' stops it."
    started=""
  fi
fi
