# Sourced by the scripts that build tools from Go modules (ensure-pulumi, ensure-random,
# gen-python-sdk). They must work on a machine whose Go module and build caches are empty, and must
# not depend on anything a user's Go set-up happens to have (a go.work above the checkout, GOFLAGS
# such as -mod=vendor), so every build runs in the environment set here.

go_env() {
  command -v go >/dev/null 2>&1 || go_die "no Go toolchain on PATH: the Pulumi engine and plugins are built from Go modules here; install Go >= 1.25 (e.g. apt-get install golang, or go.dev/dl), or put the tools on PATH yourself"
  export CGO_ENABLED=0 GOWORK=off GOFLAGS="-buildvcs=false -mod=readonly"
}

go_die() { echo "${GO_SCRIPT:-go}: error: $*" >&2; exit 1; }

# module_dir WRAPPER MODULE: prints the source folder of MODULE at the version the wrapper module
# WRAPPER selects, downloading it first. `go list -m -f '{{.Dir}}'` alone prints an EMPTY line and
# exits 0 when the module is not in the module cache yet (a new machine), which a caller would
# then read as the root of the filesystem.
module_dir() {
  local wrapper="$1" module="$2" dir
  (cd "$wrapper" && go mod download "$module") >&2 \
    || go_die "go mod download $module failed in $wrapper (see above): the Go module proxy ($(go env GOPROXY)) must serve the version its go.mod names"
  dir="$(cd "$wrapper" && go list -m -f '{{.Dir}}' "$module")" || go_die "go list -m $module failed in $wrapper"
  [ -n "$dir" ] && [ -d "$dir" ] \
    || go_die "module $module has no source folder after 'go mod download' in $wrapper (GOMODCACHE=$(go env GOMODCACHE))"
  echo "$dir"
}
