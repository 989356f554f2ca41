#!/bin/sh
# Start a private PostgreSQL server for the archive's tests and benchmarks; print its DSN.
#
#   scripts/start-postgres.sh [DATADIR] [PORT] [DBNAME]     (defaults: /tmp/vnplan-pg 55432 vnplan)
#   export VNPLAN_TEST_POSTGRES=$(scripts/start-postgres.sh)
#   scripts/start-postgres.sh --stop [DATADIR]              stop that server (if it runs)
#
# Idempotent: an existing cluster in DATADIR is reused, a running server left running, an
# existing database kept. The server listens on 127.0.0.1 only, with trust authentication:
# it is for tests, never for real data. PostgreSQL refuses to run as root; as root, the
# cluster is run by the 'postgres' user (created if missing).
set -eu

STOP=0
if [ "${1:-}" = "--stop" ]; then STOP=1; shift; fi
DATADIR=${1:-/tmp/vnplan-pg}
PORT=${2:-55432}
DBNAME=${3:-vnplan}

find_bin() {
    for d in "${PG_BIN:-}" /usr/lib/postgresql/*/bin /usr/local/pgsql/bin /usr/local/bin /usr/bin; do
        [ -n "$d" ] && [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    command -v "$1" 2>/dev/null && return 0
    echo "start-postgres: $1 not found; install PostgreSQL (apt-get install postgresql) or set PG_BIN" >&2
    exit 2
}
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
PSQL=$(find_bin psql)

if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    RUNAS="postgres"
    as_user() { su -s /bin/sh "$RUNAS" -c "$*"; }
else
    RUNAS=$(id -un)
    as_user() { sh -c "$*"; }
fi

if [ "$STOP" = 1 ]; then
    if [ -f "$DATADIR/PG_VERSION" ] && as_user "'$PG_CTL' -D '$DATADIR' status" >/dev/null 2>&1; then
        as_user "'$PG_CTL' -D '$DATADIR' -m fast -w stop" >/dev/null
    fi
    exit 0
fi

mkdir -p "$DATADIR"
[ "$(id -u)" = 0 ] && chown "$RUNAS" "$DATADIR"
chmod 700 "$DATADIR"

if [ ! -f "$DATADIR/PG_VERSION" ]; then
    as_user "'$INITDB' -D '$DATADIR' -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >'$DATADIR.initdb.log' 2>&1" \
        || { cat "$DATADIR.initdb.log" >&2; exit 2; }
fi

if ! as_user "'$PG_CTL' -D '$DATADIR' status" >/dev/null 2>&1; then
    as_user "'$PG_CTL' -D '$DATADIR' -l '$DATADIR/server.log' -w -t 60 \
        -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1\" start" >/dev/null \
        || { tail -20 "$DATADIR/server.log" >&2; exit 2; }
fi

if ! "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" | grep -q 1; then
    "$PSQL" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "CREATE DATABASE \"$DBNAME\"" >/dev/null
fi

echo "postgresql://postgres@127.0.0.1:$PORT/$DBNAME"
