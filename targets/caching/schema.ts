import type { Pool } from 'pg';

/** The tag of item `id`'s seeded value: its value up to the first `:`, as the workload records values (`seed-k7`). */
export const seedTag = (id: string): string => `seed-${id}`;

/**
 * Creates the `items` table if absent and seeds items `k0`…`k{n-1}` (value
 * `seed-k<i>:` padded with `x` to `valueBytes`, version 1) that do not exist
 * yet; existing rows are left as they are, so a restarted target keeps what
 * was written. The caching workload names its keys the same way and records
 * a value by its tag, the part before the first `:`. Throws the database's
 * error.
 */
export async function prepareItems(pg: Pool, seedItems: number, valueBytes: number): Promise<void> {
  const client = await pg.connect();
  try {
    // Replicas start together, and concurrent CREATE TABLE IF NOT EXISTS can
    // still collide in PostgreSQL's catalog: one at a time, under a lock.
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['patternbench items']);
    await client.query('CREATE TABLE IF NOT EXISTS items (id text PRIMARY KEY, value text NOT NULL, version bigint NOT NULL)');
    if (seedItems > 0) {
      await client.query(
        `INSERT INTO items (id, value, version)
         SELECT 'k' || i, rpad('seed-k' || i || ':', $2::int, 'x'), 1 FROM generate_series(0, $1::int - 1) AS i
         ON CONFLICT (id) DO NOTHING`,
        [seedItems, valueBytes],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
