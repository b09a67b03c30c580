import type pg from 'pg';

/** Runs `work` in one transaction on a connection of `pool`: COMMIT if it resolves, ROLLBACK (and the connection dropped) if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (err) {
    // A connection that cannot even roll back (a partition, a killed server) is dropped, not reused.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(rolledBack ? undefined : (err as Error));
    throw err;
  }
}

/**
 * Creates a schema once however many services start on the same database at
 * once: `CREATE TABLE IF NOT EXISTS` is not safe against itself, so the
 * statements run under a transaction-level advisory lock.
 */
export async function ensureSchema(pool: pg.Pool, statements: readonly string[]): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock(20251)');
    for (const sql of statements) await c.query(sql);
  });
}
