#!/usr/bin/env bash
# Screenshots of the real site for the README (docs/screenshots/): the home
# page and a book's page, at a desk (1280 px) and on a phone (390 px). Builds
# the site, serves it on a new SQLite database with the demo catalog, and
# photographs it in Debian's Chromium. Installs missing tools first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_test_tools
cd "$ROOT"
cargo leptos build --release --precompress

work="$(mktemp -d)"
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL="sqlite://$work/site.sqlite3" LEPTOS_SITE_ADDR=127.0.0.1:0 \
  LEPTOS_SITE_ROOT="$ROOT/target/site" RUST_LOG=warn,server=info \
  target/release/locallibrary serve 2> "$work/log" &
server=$!
for _ in $(seq 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$work/log" | sed 's/listening on //' || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/log" >&2; exit 1; }

mkdir -p docs/screenshots
(cd end2end && node screenshots.cjs "$url" "$ROOT/docs/screenshots")
