#!/bin/bash
# Starts PostgreSQL in a container the way the local runtime starts it, on the
# official postgres:15 image and on ours alike (it needs only initdb,
# pg_basebackup and postgres on PATH, $PGDATA, and the postgres user), in
# place of the official entrypoint. Run as the postgres user; the arguments
# are passed on to postgres (-c name=value …).
#
# First start: a primary (no $PB_PRIMARY) is initdb'ed with trust auth for
# every host (replication included) and gets the $PB_PG_DATABASE database; a
# replica ($PB_PRIMARY=host:port, its link to the primary) clones the primary
# with pg_basebackup -R, retrying for up to a minute while the primary starts.
# A later start (a restart after kill) reuses the data as it is.
set -euo pipefail
: "${PGDATA:?}" "${PB_PG_USER:?}" "${PB_PG_DATABASE:?}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${PB_PRIMARY:-}" ]; then
    initdb -D "$PGDATA" -U "$PB_PG_USER" --auth=trust -E UTF8 --locale=C --no-sync --no-instructions >/dev/null
    printf 'local all all trust\nlocal replication all trust\nhost all all all trust\nhost replication all all trust\n' >"$PGDATA/pg_hba.conf"
    echo "CREATE DATABASE \"$PB_PG_DATABASE\"" | postgres --single -D "$PGDATA" -c fsync=off postgres >/dev/null
  else
    for attempt in $(seq 60); do
      pg_basebackup -h "${PB_PRIMARY%:*}" -p "${PB_PRIMARY##*:}" -U "$PB_PG_USER" -D "$PGDATA" -R -X stream -c fast --no-sync && break
      [ "$attempt" = 60 ] && exit 1
      rm -rf "${PGDATA:?}"/*
      sleep 1
    done
  fi
fi
chmod 700 "$PGDATA"
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
