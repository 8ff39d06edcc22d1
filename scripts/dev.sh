#!/usr/bin/env bash
# Runs LocalLibrary at http://127.0.0.1:3000 on SQLite (locallibrary.sqlite3
# in the repository root, seeded with the demo catalog and a demo librarian
# and member on first start, whose passwords the log shows), rebuilding and
# reloading on every change. Installs missing tools first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_build_tools
cd "$ROOT"
export LOCALLIBRARY_ACCOUNTS__DEMO_USERS=true
exec cargo leptos watch "$@"
