#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests
# (real server, real HTTP, a new database each: the shared suite on SQLite
# and on PostgreSQL), then the Playwright suite in Debian's Chromium against
# a debug and a release build of the site. Installs missing tools first.
#
# PostgreSQL: a throwaway server is started (and removed afterwards) unless
# TEST_DATABASE_URL names one to use, e.g.
#   TEST_DATABASE_URL=postgres://user:pass@host:5432/postgres scripts/test.sh
# (the tests create and drop databases of their own on it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
source "$ROOT/scripts/postgres.sh"
ensure_test_tools
cd "$ROOT"
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # Its data is thrown away: no need to wait for the disk.
  start_throwaway_postgres -c fsync=off
fi

step() { log "$*"; }

step "format and lints"
cargo fmt --all --check
cargo clippy -p app -p server -p bench --all-targets -- -D warnings
cargo clippy -p locallibrary-hydrate --target wasm32-unknown-unknown --features hydrate -- -D warnings

step "Rust tests"
cargo test -p app --features ssr
cargo test -p server # the shared suite on SQLite, SQLite's own tests, PostgreSQL's own
TEST_BACKEND=postgres cargo test -p server --test site # the shared suite on PostgreSQL
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

# Once more as a scaled-out deployment runs: two release servers on one
# PostgreSQL database behind nginx (deploy/nginx.conf), for every test.
step "Playwright against two servers on PostgreSQL behind nginx"
(cd end2end && E2E_FRONT=nginx LOCALLIBRARY_BIN="$ROOT/target/release/locallibrary" npx playwright test)
