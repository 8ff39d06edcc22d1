#!/usr/bin/env bash
# Benchmarks LocalLibrary against its Django peer (shared/peers/django-locallibrary)
# and a bare-axum ceiling on this machine, one server at a time, and writes
# BENCHMARKS.md. Not part of the test suite. Arguments go to the driver:
#
#   scripts/bench.sh                  # 15 s per measured run
#   scripts/bench.sh --duration 5     # shorter; see `locallibrary-bench run --help`
#
# The shared folder is ../shared beside the repository, or $LOCALLIBRARY_SHARED.
# LocalLibrary is also measured on PostgreSQL: on the server TEST_DATABASE_URL
# names (as for the tests), else on a throwaway one with PostgreSQL's default
# durability, removed afterwards.
# Installs what is missing first (build tools, wrk, Chromium, a Django venv).
set -euo pipefail
started_at=$(date +%s)
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
source "$ROOT/scripts/postgres.sh"
cd "$ROOT"

# Django and gunicorn for the peer, once, in a venv of their own.
ensure_django_venv() {
  local venv="$ROOT/target/bench/django-venv"
  if "$venv/bin/python" -c 'import django, gunicorn, sys; sys.exit(django.VERSION[:2] != (5, 2))' \
    2>/dev/null; then
    return
  fi
  log "creating the Django virtualenv (Django 5.2, gunicorn)"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'django>=5.2,<5.3' gunicorn
}

ensure_build_tools
ensure_apt wrk wrk
ensure_apt chromium chromium # the hydration timing
ensure_django_venv

# Everything is built before anything is measured.
log "building the site (release)"
cargo leptos build --release --precompress
log "building the benchmark driver"
cargo build --release -p bench

if [ -z "${TEST_DATABASE_URL:-}" ]; then
  start_throwaway_postgres
fi

log "measuring"
"$ROOT/target/release/locallibrary-bench" run \
  --root "$ROOT" \
  --django-venv "$ROOT/target/bench/django-venv" \
  --postgres "$TEST_DATABASE_URL" \
  --started-at "$started_at" \
  "$@"
