#!/usr/bin/env bash
# Run the test suite. Starts the servers the tests need when their programs are installed
# (.ci/run installs them on a fresh machine) and stops them by PID afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
cleanup() { :; }
trap 'cleanup' EXIT

# KHIEN_TEST_PG_PORT: the port of that PostgreSQL server (default 55432); set it when the port is taken.
# KHIEN_TEST_POSTGRES_URL: use an existing server instead (then none is started). Both are listed in
# docs/operations.md.
PG_BIN=/usr/lib/postgresql/15/bin
if [ -z "${KHIEN_TEST_POSTGRES_URL:-}" ] && [ -x "$PG_BIN/initdb" ] && id postgres >/dev/null 2>&1; then
  PGDIR=$(mktemp -d)
  chown postgres:postgres "$PGDIR"
  PGPORT=${KHIEN_TEST_PG_PORT:-55432}
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
      -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
  export KHIEN_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
  cleanup() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
  echo "test.sh: PostgreSQL started on 127.0.0.1:$PGPORT"
fi

"$BIN/python" -m pytest "$@"
