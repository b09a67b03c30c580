/** The superuser and database every PostgreSQL is set up with, on every runtime; trust auth, so the password is only for clients that insist on one. */
export const pgCredentials = { user: 'patternbench', password: 'patternbench', database: 'patternbench' } as const;

/**
 * Server settings (`-c name=value`) shared by every runtime, primary and
 * replicas alike (a standby needs max_prepared_transactions ≥ its primary's).
 * Prepared transactions are on for 2PC targets; durability against an OS
 * crash is off, since a scratch server gains nothing from it and the
 * benchmark's disk pays for it.
 */
export const pgServerSettings: readonly string[] = [
  'max_prepared_transactions=64',
  'max_connections=200',
  'fsync=off',
  'full_page_writes=off',
  'wal_level=replica',
  'max_wal_senders=10',
  'max_replication_slots=10',
  'hot_standby=on',
];
