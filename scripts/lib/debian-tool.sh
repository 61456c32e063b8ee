# shellcheck shell=bash
# debian_tool NAME PACKAGE ENV_VAR CANDIDATE...: prints the first candidate that is an executable
# (the one ENV_VAR names first); when there is none, installs Debian's PACKAGE with apt-get (as
# root, or with passwordless sudo) and prints the first candidate that then exists.
debian_tool() {
  local name=$1 pkg=$2 var=$3 c sudo=""
  shift 3
  for c in "${!var:-}" "$@"; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: error: no $pkg, and no apt-get to install Debian's package '$pkg'; install it or set $var" >&2
    return 1
  fi
  [ "$(id -u)" -ne 0 ] && sudo="sudo -n"
  echo "$name: installing Debian's $pkg (apt-get)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >&2
  for c in "$@"; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  echo "$name: error: apt-get installed $pkg, but none of $* is there" >&2
  return 1
}
