# Shared by the scripts in scripts/: paths, logging, and the idempotent package install.
# shellcheck shell=bash
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}

# Each line says how long the script has run, so a slow phase shows in CI's log.
log() { printf '==> [%4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (network namespaces, packet capture, apt): run it with sudo"
}

# Installs the packages of the given groups that are missing; runs apt only when one is.
install_packages() {
  local groups="$*" missing=() package group
  while read -r package group; do
    case "$package" in ''|'#'*) continue ;; esac
    [[ " $groups " == *" $group "* ]] || continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$package")
  done < "$ROOT/scripts/packages"
  [ ${#missing[@]} -eq 0 ] && return 0
  require_root "installing ${missing[*]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The prometheus package starts a server when an init system is there; we only want promtool
  # and a binary the end-to-end test starts itself.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configures (once) and builds. Extra arguments go to cmake's configure step.
build() {
  local werror=OFF
  [ "${CI:-}" = true ] && werror=ON
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    log "configuring $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DARP_WERROR=$werror "$@" >/dev/null
  fi
  log "building"
  if ! cmake --build "$BUILD_DIR" -j "$(nproc)" >"$BUILD_DIR/build.log" 2>&1; then
    grep -E -A4 'error|Error' "$BUILD_DIR/build.log" | head -80 >&2
    die "build failed (whole log: $BUILD_DIR/build.log)"
  fi
}
