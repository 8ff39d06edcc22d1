#!/usr/bin/env bash
# Runs every test: formatting and lints, the Rust unit and integration tests
# (real server, real HTTP, a new database each: the shared suite on SQLite
# and on PostgreSQL), then the Playwright suite in Debian's Chromium against
# the site with its release wasm, and its deployment tests once more behind
# nginx. Installs missing tools first; prints how long each step took.
#
# Each build is made once and shared: the Rust tests build the debug server
# (target/debug/locallibrary) that the browser suites run, so the only other
# build is the release wasm, the bundle browsers get.
#
# PostgreSQL: a throwaway server is started (and removed afterwards) unless
# TEST_DATABASE_URL names one to use, e.g.
#   TEST_DATABASE_URL=postgres://user:pass@host:5432/postgres scripts/test.sh
# (the tests create and drop databases of their own on it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
source "$ROOT/scripts/postgres.sh"

# Step timings, printed at the end whether the run passed or not.
STEPS=()
STEP_NAME=""
STEP_START=0
RUN_START=$(date +%s)
step() {
  end_step
  STEP_NAME="$*"
  STEP_START=$(date +%s)
  log "$*"
}
end_step() {
  if [ -n "$STEP_NAME" ]; then
    STEPS+=("$(printf '%6ss  %s' $(($(date +%s) - STEP_START)) "$STEP_NAME")")
    STEP_NAME=""
  fi
}
report() {
  local status=$?
  end_step
  {
    printf '\n==> time by step\n'
    printf '%s\n' "${STEPS[@]}"
    printf '%6ss  in all (%s)\n' $(($(date +%s) - RUN_START)) \
      "$([ "$status" = 0 ] && echo passed || echo "FAILED, exit $status")"
  } >&2
  stop_throwaway_postgres
}
trap report EXIT

step "tools"
ensure_test_tools
cd "$ROOT"
# One pass over everything: incremental compilation's caches would only
# take disk (gigabytes) for builds that are not repeated.
export CARGO_INCREMENTAL=0
if [ -z "${TEST_DATABASE_URL:-}" ]; then
  # Its data is thrown away: no need to wait for the disk.
  start_throwaway_postgres -c fsync=off
  trap report EXIT # in place of the one that only stops the server
fi

# Every cargo command below runs at the top of the workspace with the same
# packages, so they resolve the same features and share what they build
# (`-p server` would build the dependencies again with other features).
step "format and lints"
cargo fmt --all --check
cargo clippy --all-targets -- -D warnings
cargo clippy --test postgres -- -D warnings
cargo clippy -p locallibrary-hydrate --target wasm32-unknown-unknown --features hydrate -- -D warnings

step "Rust tests (SQLite)"
# Needs no service: the app's and the benchmark driver's unit tests, the
# shared suite on SQLite and SQLite's own tests.
cargo test

step "Rust tests (PostgreSQL)"
TEST_BACKEND=postgres cargo test --test site # the shared suite on PostgreSQL
cargo test --test postgres # PostgreSQL deployments: outages, servers behind nginx

# The browser gets the release wasm (optimised differently: hydration errors
# have shown up in it and not in the debug one); the server is the debug
# build the Rust tests made, whose every kept page is checked against a
# fresh render.
step "release wasm"
cargo leptos build --release --precompress --frontend-only

step "Playwright"
export LOCALLIBRARY_BIN="$ROOT/target/debug/locallibrary"
(cd end2end && npx playwright test)

# Once more as a scaled-out deployment runs: two servers on one PostgreSQL
# database behind nginx (deploy/nginx.conf), for every test that goes
# through what a proxy can change (sessions, forms, sign-in, languages).
step "Playwright behind nginx"
(cd end2end && E2E_FRONT=nginx npx playwright test)
