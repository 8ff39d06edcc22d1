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
# One pass over everything: incremental compilation's caches would only
# take disk (gigabytes) for builds that are not repeated.
export CARGO_INCREMENTAL=0
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # Its data is thrown away: no need to wait for the disk.
  start_throwaway_postgres -c fsync=off
fi

step() { log "$*"; }

step "format and lints"
cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
cargo clippy -p server --test postgres -- -D warnings
cargo clippy -p locallibrary-hydrate --target wasm32-unknown-unknown --features hydrate -- -D warnings

step "Rust tests"
# Needs no service: the app's and the benchmark driver's unit tests, the
# shared suite on SQLite and SQLite's own tests.
cargo test
TEST_BACKEND=postgres cargo test -p server --test site # the shared suite on PostgreSQL
cargo test -p server --test postgres # PostgreSQL deployments: outages, servers behind nginx

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
