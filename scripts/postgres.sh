#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: initdb into a temp dir, start
# it on a free loopback port, and stop and remove it when the calling
# script exits. Changes no system-wide configuration (the cluster belongs to
# no service and is gone afterwards). Sourced by test.sh after tools.sh.

# The newest installed server's programs (Debian keeps them off PATH).
postgres_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

ensure_postgres() {
  if [ -z "$(postgres_bin)" ] || [ ! -x "$(postgres_bin)/initdb" ]; then
    ensure_apt_package postgresql
  fi
}

# A free TCP port on 127.0.0.1 (the kernel's choice).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs a server program as an unprivileged user: PostgreSQL refuses root.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Starts the server and exports TEST_DATABASE_URL (a superuser, trusted on
# loopback only). Arguments are more server options, e.g. "-c fsync=off".
start_throwaway_postgres() {
  ensure_postgres
  local bin port
  bin="$(postgres_bin)"
  port="$(free_port)"
  PG_TEST_DIR="$(mktemp -d -t locallibrary-pg.XXXXXX)"
  chmod 755 "$PG_TEST_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_TEST_DIR"
  log "starting a throwaway PostgreSQL on 127.0.0.1:$port"
  as_postgres "$bin/initdb" -D "$PG_TEST_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale >"$PG_TEST_DIR/initdb.log"
  as_postgres "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/server.log" -w \
    -o "-p $port -k $PG_TEST_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $*" \
    start >/dev/null
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  trap stop_throwaway_postgres EXIT
}

stop_throwaway_postgres() {
  [ -n "${PG_TEST_DIR:-}" ] || return 0
  as_postgres "$(postgres_bin)/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_TEST_DIR"
  PG_TEST_DIR=""
}
