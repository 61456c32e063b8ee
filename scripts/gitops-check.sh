#!/usr/bin/env bash
# The GitOps sequence of examples/gitops/writer-access.yml as a runnable check, for a laptop or
# any CI. Secrets are never printed: no --show-secrets anywhere, summaries show "[secret]".
#
#   scripts/gitops-check.sh preview <stack>      what a pull request would change: one line per step
#   scripts/gitops-check.sh up <stack>           apply (what a merge to main does)
#   scripts/gitops-check.sh drift <stack>        refresh in preview mode; exit 1 with a summary when
#                                                what is on the server differs from the code
#   scripts/gitops-check.sh pr-up <n> [base]     preview environment: stack pr-<n> with the config of
#                                                <base> (default staging), created or updated
#   scripts/gitops-check.sh pr-destroy <n>       destroy stack pr-<n> and remove it
#
# Env: WORK_DIR (the Pulumi project, default examples/environments), PLAN_JSON (also write the
# step list of preview/drift there as JSON), GITHUB_STEP_SUMMARY (appended to, when set),
# POLICY_PACK (a policy pack folder, e.g. policies: preview, up and pr-up run it; a mandatory
# violation fails the step with exit 2 and the rule's message), POLICY_PACK_CONFIG (its config
# file), and Pulumi's own (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PULUMI_ACCESS_TOKEN...).
# Exit codes: 0 ok / no drift, 1 drift, 2 usage or Pulumi error.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work_dir="${WORK_DIR:-$root/examples/environments}"
cmd="${1:-}"
arg="${2:-}"

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$cmd" ] && [ -n "$arg" ] || usage
command -v pulumi >/dev/null 2>&1 || { echo "gitops-check: pulumi is not on PATH (bash scripts/ensure-pulumi prints its folder)" >&2; exit 2; }
[ -f "$work_dir/Pulumi.yaml" ] || { echo "gitops-check: no Pulumi.yaml in $work_dir (set WORK_DIR)" >&2; exit 2; }

p() { pulumi --cwd "$work_dir" --non-interactive "$@"; }

policy=()
if [ -n "${POLICY_PACK:-}" ]; then
  [ -f "$POLICY_PACK/PulumiPolicy.yaml" ] || { echo "gitops-check: POLICY_PACK=$POLICY_PACK has no PulumiPolicy.yaml" >&2; exit 2; }
  policy=(--policy-pack "$(cd "$POLICY_PACK" && pwd)")
  [ -z "${POLICY_PACK_CONFIG:-}" ] || policy+=(--policy-pack-config "$(cd "$(dirname "$POLICY_PACK_CONFIG")" && pwd)/$(basename "$POLICY_PACK_CONFIG")")
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Reads `pulumi preview --json` from the file $2; prints one line per step that changes something and
# the fields involved (values of secret fields stay "[secret]"). $1: preview | drift.
summarize() {
  node "$root/scripts/lib/plan-summary.js" "$1" "$2" "${PLAN_JSON:-}"
}

step_summary() { # $1: title, $2: file with the body
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] || return 0
  { echo "### $1"; echo '```'; cat "$2"; echo '```'; } >> "$GITHUB_STEP_SUMMARY"
}

run_preview() { # $1: stack, $2: mode (preview|drift), rest: extra pulumi args
  local stack="$1" mode="$2"; shift 2
  p preview --stack "$stack" --json "$@" >"$tmp/preview.json" 2>"$tmp/preview.err"
  local rc=$?
  summarize "$mode" "$tmp/preview.json" >"$tmp/summary.txt"
  local src=$?
  if [ $src -eq 3 ] || { [ $rc -ne 0 ] && [ $src -eq 0 ]; }; then
    # Not a plan: the program or Pulumi failed (spec errors land here, with their paths).
    echo "gitops-check: pulumi preview failed on stack $stack:" >&2
    node "$root/scripts/lib/plan-summary.js" errors "$tmp/preview.json" >&2 || true
    grep -v '^\s*$' "$tmp/preview.err" >&2 || true
    return 2
  fi
  cat "$tmp/summary.txt"
  step_summary "$mode: $stack" "$tmp/summary.txt"
  return $src
}

# `pulumi preview --json` leaves policy results out, so the pack runs in a text preview of its own;
# a mandatory violation stops here with the pack's report (rule, resource, what to change).
run_policy() { # $1: stack
  [ ${#policy[@]} -gt 0 ] || return 0
  p preview --stack "$1" --color never "${policy[@]}" >"$tmp/policy.txt" 2>&1 && return 0
  echo "gitops-check: the policy pack refused the preview of stack $1:" >&2
  if grep -q '^Policies:' "$tmp/policy.txt"; then sed -n '/^Policies:/,$p' "$tmp/policy.txt" >&2; else cat "$tmp/policy.txt" >&2; fi
  return 2
}

case "$cmd" in
  preview)
    run_policy "$arg" || exit 2
    run_preview "$arg" preview
    rc=$?; [ $rc -eq 1 ] && rc=0   # changes are what a preview is for
    exit $rc ;;
  up)
    # --refresh: read the server first, so drift is put right too, not only code changes.
    p up --stack "$arg" --refresh --yes --skip-preview --suppress-outputs "${policy[@]}" || exit 2 ;;
  drift)
    # Refresh in preview mode (nothing is written), then plan against the code: any step is drift.
    run_preview "$arg" drift --refresh --expect-no-changes
    exit $? ;;
  pr-up)
    stack="pr-$arg"; base="${3:-staging}"
    if ! p stack select "$stack" >/dev/null 2>&1; then
      p stack init "$stack" --copy-config-from "$base" || exit 2
    fi
    p up --stack "$stack" --refresh --yes --skip-preview --suppress-outputs "${policy[@]}" || exit 2 ;;
  pr-destroy)
    stack="pr-$arg"
    p stack select "$stack" >/dev/null 2>&1 || { echo "gitops-check: no stack $stack (already destroyed)"; exit 0; }
    p destroy --stack "$stack" --yes --skip-preview --suppress-outputs || exit 2
    p stack rm "$stack" --yes || exit 2 ;;
  *) usage ;;
esac
