import type { Pool } from 'pg';

/**
 * Creates the counters' table and the fencing tokens' sequence if absent, in
 * one transaction under an advisory lock: the three replicas start at once,
 * and two concurrent `CREATE … IF NOT EXISTS` can still collide.
 */
export async function prepareCounters(pg: Pool): Promise<void> {
  const client = await pg.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('patternbench schema'))");
    await client.query('CREATE TABLE IF NOT EXISTS counters (key text PRIMARY KEY, value bigint NOT NULL DEFAULT 0, token bigint NOT NULL DEFAULT 0)');
    await client.query('CREATE SEQUENCE IF NOT EXISTS lock_fence');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The resource the locks guard: counters in PostgreSQL, read and written in
 * two steps (a read-modify-write that is only safe under mutual exclusion).
 *
 * With a fencing token (Kleppmann, "How to do distributed locking", 2016)
 * the store itself checks: every access carries the holder's token, the store
 * keeps the largest it has seen, and refuses an access with a smaller one.
 * The read registers the token too: otherwise an old holder could still
 * write between a new holder's read and write, and its increment be lost.
 */
export class CounterStore {
  constructor(private readonly pg: Pool) {}

  /** The counter's value (0 if absent), or `undefined` when `token` is older than one the store has seen. */
  async read(key: string, token?: number): Promise<number | undefined> {
    if (token === undefined) {
      const { rows } = await this.pg.query<{ value: string }>('SELECT value FROM counters WHERE key = $1', [key]);
      return Number(rows[0]?.value ?? 0);
    }
    const { rows } = await this.pg.query<{ value: string }>(
      `INSERT INTO counters (key, value, token) VALUES ($1, 0, $2)
       ON CONFLICT (key) DO UPDATE SET token = excluded.token WHERE counters.token <= excluded.token
       RETURNING value`,
      [key, token],
    );
    return rows.length === 0 ? undefined : Number(rows[0].value);
  }

  /** Sets the value; `false` when `token` is older than one the store has seen (nothing written). */
  async write(key: string, value: number, token?: number): Promise<boolean> {
    const { rowCount } =
      token === undefined
        ? await this.pg.query('INSERT INTO counters (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value])
        : await this.pg.query('UPDATE counters SET value = $2, token = $3 WHERE key = $1 AND token <= $3', [key, value, token]);
    return rowCount === 1;
  }
}
