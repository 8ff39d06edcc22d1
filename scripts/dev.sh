#!/usr/bin/env bash
# Runs LocalLibrary at http://127.0.0.1:3000 on SQLite (locallibrary.sqlite3
# in the repository root, seeded with the demo catalog on first start),
# rebuilding and reloading on every change. Installs missing tools first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tools.sh"
ensure_build_tools
cd "$ROOT"
exec cargo leptos watch "$@"
