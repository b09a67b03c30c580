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
  await pg.query('CREATE TABLE IF NOT EXISTS items (id text PRIMARY KEY, value text NOT NULL, version bigint NOT NULL)');
  if (seedItems <= 0) return;
  await pg.query(
    `INSERT INTO items (id, value, version)
     SELECT 'k' || i, rpad('seed-k' || i || ':', $2::int, 'x'), 1 FROM generate_series(0, $1::int - 1) AS i
     ON CONFLICT (id) DO NOTHING`,
    [seedItems, valueBytes],
  );
}
