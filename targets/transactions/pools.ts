import pg from 'pg';

/** How long a PostgreSQL call may take before the family's services give up on it, ms. */
export const backendTimeoutMs = 2_000;

/**
 * A pool for one PostgreSQL instance, as every service of the family makes
 * them: connecting, waiting for a lock and running a statement are each
 * bounded, so a partitioned or blocked database yields an error (a 503, a
 * retry) rather than a request that never ends. A query that errs destroys
 * its connection (pg-pool's rule), so a connection a partition broke is not
 * reused. `lockTimeoutMs` bounds waits behind row locks (a prepared
 * transaction's among them).
 */
export function createPool(url: string, opts: { max?: number; lockTimeoutMs?: number; name: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 20,
    connectionTimeoutMillis: backendTimeoutMs,
    // Server-side bounds end the statement (and release its locks); the
    // client-side one, a little longer, covers a server that cannot be reached.
    statement_timeout: backendTimeoutMs,
    lock_timeout: opts.lockTimeoutMs ?? 1_000,
    query_timeout: backendTimeoutMs + 500,
    // A session whose client vanished mid-transaction (a killed or cut-off
    // service) gives its row locks back instead of holding them until TCP
    // notices.
    idle_in_transaction_session_timeout: 5_000,
  });
  pool.on('error', (err) => console.error(`${opts.name}: ${err.message}`));
  // The pool hears errors of idle connections only; one checked out when its
  // server dies emits 'error' on itself, which with no listener ends the
  // process. Its query rejects anyway: that is where the error is handled.
  pool.on('connect', (client) => client.on('error', (err) => console.error(`${opts.name}: ${err.message}`)));
  return pool;
}
