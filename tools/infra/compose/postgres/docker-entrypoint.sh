#!/bin/bash
# Entrypoint of pos-ledger/compose-postgres, the local stand-in for the official postgres:15
# image that tools/infra/build-images.sh builds for the Docker e2e test (machines with no
# registry). Written here, not copied: it keeps the official image's contract, which is what
# docker-compose.yml relies on:
#   - POSTGRES_PASSWORD (required), POSTGRES_USER (postgres), POSTGRES_DB (= user),
#     POSTGRES_INITDB_ARGS, PGDATA, PGPORT;
#   - on an empty data directory: initdb, then a *temporary* server that listens on the Unix
#     socket only (listen_addresses='') while the database is created and the files of
#     /docker-entrypoint-initdb.d run, then it stops and the real server starts;
#   - TCP clients authenticate with scram-sha-256; listen_addresses='*' unless overridden.
# Unlike the official image it runs as `postgres` from the start (no gosu step).
set -euo pipefail

[[ "${1:-}" == -* ]] && set -- postgres "$@"

if [[ "${1:-}" == postgres && ! -s "$PGDATA/PG_VERSION" ]]; then
  [[ -n "${POSTGRES_PASSWORD:-}" ]] || { echo "error: POSTGRES_PASSWORD is not set" >&2; exit 1; }
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  # shellcheck disable=SC2086 # a word list, as in the official image
  initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") ${POSTGRES_INITDB_ARGS:-} >/dev/null
  printf '\nhost all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -p ${PGPORT:-5432}" start >/dev/null
  psql=(psql -v ON_ERROR_STOP=1 -q --username "$user" --no-password --dbname postgres)
  if [[ "$db" != postgres ]]; then
    "${psql[@]}" --set db="$db" <<<'CREATE DATABASE :"db";'
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh) echo "running $f"; bash "$f" ;;
      *.sql) echo "running $f"; "${psql[@]}" --dbname "$db" -f "$f" ;;
      *) [[ -e "$f" ]] && echo "ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
