#!/bin/bash
# Start script of the local pos-ledger/postgres image (copied to /usr/local/bin/start-postgres).
# Runs as the image's `postgres` user: initdb on first start, then PostgreSQL 15 in the
# foreground, listening on 127.0.0.1 only (host networking: there is no bridge on the CI
# machine, so the test helper picks a free port and passes it in).
#
#   PGPORT              port                                   (default 5432)
#   PGLISTEN            listen_addresses                       (default 127.0.0.1)
#   PGDATA              data directory                         (default /var/lib/postgresql/data)
#   POSTGRES_USER       login role created at init (superuser) (default ledger)
#   POSTGRES_PASSWORD   its password (scram-sha-256 over TCP)  (default ledger)
#   POSTGRES_DB         database created at init, owned by it  (default ledger)
# Extra arguments are passed to `postgres` (e.g. -c fsync=off).
set -euo pipefail

port="${PGPORT:-5432}"
listen="${PGLISTEN:-127.0.0.1}"
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
user="${POSTGRES_USER:-ledger}"
password="${POSTGRES_PASSWORD:-ledger}"
db="${POSTGRES_DB:-ledger}"
sql_ident() { printf '"%s"' "${1//\"/\"\"}"; }
sql_literal() { printf "'%s'" "${1//\'/\'\'}"; }

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  echo "start-postgres: initdb in $PGDATA"
  initdb -D "$PGDATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  {
    if [[ "$user" == postgres ]]; then
      echo "ALTER ROLE postgres PASSWORD $(sql_literal "$password");"
    else
      echo "CREATE ROLE $(sql_ident "$user") LOGIN SUPERUSER PASSWORD $(sql_literal "$password");"
    fi
    [[ "$db" == postgres ]] || echo "CREATE DATABASE $(sql_ident "$db") OWNER $(sql_ident "$user");"
  } | postgres --single -D "$PGDATA" -c jit=off postgres >/dev/null
fi

postgres -D "$PGDATA" -p "$port" -c listen_addresses="$listen" \
  -c unix_socket_directories=/tmp -c jit=off "$@" &
pid=$!
# `docker stop` sends SIGTERM, which PostgreSQL takes as a "smart" shutdown that waits for
# every client to leave; a test container wants the "fast" one (SIGINT) instead.
trap 'kill -INT "$pid" 2>/dev/null' TERM INT
status=0
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" && status=0 || status=$?
done
exit "$status"
