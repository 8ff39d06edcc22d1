#!/usr/bin/env bash
# Installs, idempotently and from the package registries only, every tool the
# build and the tests need. Each step checks for the exact version first, so a
# second run costs seconds. Sourced by dev.sh and test.sh; runnable alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Versions are pinned together: wasm-bindgen's CLI must equal the crate
# version locked in Cargo.lock, and cargo-leptos 0.3.11 is the release that
# builds a leptos 0.8 workspace.
CARGO_LEPTOS_VERSION="0.3.11"
WASM_BINDGEN_VERSION="0.2.130"

export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -qx "cargo-leptos $CARGO_LEPTOS_VERSION"; then
    return
  fi
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes on 2 cores)"
  # The crate's own lockfile pins cargo-util-schemas 0.14.2, which needs a newer
  # rustc than this toolchain; install from the unpacked source with that one
  # dependency stepped back to 0.14.1. LTO is off to halve the build time.
  local cargo_home="${CARGO_HOME:-$HOME/.cargo}"
  local src
  src=$(ls -d "$cargo_home"/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # On this toolchain the locked install stops at the rustc version check,
    # but leaves the source unpacked, which is all it is for. Should it ever
    # succeed, there is nothing more to do.
    if cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked >/dev/null 2>&1; then
      return
    fi
    src=$(ls -d "$cargo_home"/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  fi
  local work
  work=$(mktemp -d)
  cp -r "$src" "$work/cargo-leptos"
  (
    cd "$work/cargo-leptos"
    cargo update -p cargo-util-schemas --precise 0.14.1
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --path . --locked
  )
  rm -rf "$work"
}

ensure_wasm_bindgen() {
  if wasm-bindgen --version 2>/dev/null | grep -q "wasm-bindgen $WASM_BINDGEN_VERSION"; then
    return
  fi
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: the published lockfile no longer resolves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
}

# Playwright and binaryen (wasm-opt, needed by every release build) come from
# end2end/package-lock.json; browsers are never downloaded.
ensure_node_modules() {
  local lock="$ROOT/end2end/package-lock.json"
  local stamp="$ROOT/end2end/node_modules/.lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$lock" "$stamp"; then
    return
  fi
  log "installing end2end node modules"
  (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  cp "$lock" "$stamp"
}

apt_updated=0
ensure_apt() { # ensure_apt COMMAND PACKAGE
  if command -v "$1" >/dev/null 2>&1; then
    return
  fi
  ensure_apt_package "$2"
}

ensure_apt_package() { # ensure_apt_package PACKAGE
  log "installing Debian package $1"
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
}

ensure_build_tools() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_cargo_leptos
  ensure_node_modules
}

ensure_test_tools() {
  ensure_build_tools
  ensure_apt chromium chromium
  # The scale-out tests put two servers behind Debian's nginx.
  ensure_apt nginx nginx
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_test_tools
fi
