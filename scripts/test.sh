#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests
# (real server, real HTTP, temp SQLite databases), then the Playwright suite
# in Debian's Chromium against a debug and a release build of the site.
# Installs missing tools first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_test_tools
cd "$ROOT"

step() { log "$*"; }

step "format and lints"
cargo fmt --all --check
cargo clippy -p app -p server -p bench --all-targets -- -D warnings
cargo clippy -p locallibrary-hydrate --target wasm32-unknown-unknown --features hydrate -- -D warnings

step "Rust tests"
cargo test -p app --features ssr
cargo test -p server
cargo test -p bench # the benchmark driver's own parsing and reporting

# The browser suite runs against both builds: the release wasm is optimised
# differently, and hydration errors have shown up in one and not the other.
for profile in debug release; do
  step "Playwright against the $profile build"
  if [ "$profile" = release ]; then
    cargo leptos build --release --precompress
  else
    cargo leptos build
  fi
  (cd end2end && LOCALLIBRARY_BIN="$ROOT/target/$profile/locallibrary" npx playwright test)
done
