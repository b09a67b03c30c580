# Sourced by the postgres image's entrypoint on first start: its pg_hba lets
# every host in except for replication, which the replica's base backup and
# WAL stream need (through the postgres-replica-1-to-postgres link).
echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"
