import type { Pool } from 'pg';
import type { ConsistencyPattern, Served } from './api.ts';

/** A PostgreSQL server the pattern talks to, and its component name (what `node` says). */
export interface PgNode {
  pool: Pool;
  name: string;
}

/**
 * Creates the registers' table on the primary if absent, and waits (up to
 * 10 s) until `reader` has it too — a replica gets it by replication, and a
 * read before that would fail for want of a table, not for staleness.
 * Throws the database's error, or when the reader never sees the table.
 */
export async function prepareRegisters(primary: Pool, reader: Pool): Promise<void> {
  await primary.query('CREATE TABLE IF NOT EXISTS registers (key text PRIMARY KEY, value text NOT NULL)');
  for (const deadline = Date.now() + 10_000; ; ) {
    const { rows } = await reader.query<{ t: string | null }>("SELECT to_regclass('registers') AS t");
    if (rows[0].t !== null) return;
    if (Date.now() > deadline) throw new Error('the registers table did not reach the replica within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Registers in PostgreSQL: every write and compare-and-set on the primary,
 * reads on `reader` — the primary itself (strong, single primary), or a
 * streaming replica, which is synchronous (`synchronous_commit =
 * remote_apply`: a commit returns once the replica has applied it, so a read
 * there after an acknowledged write sees it) or asynchronous (it may not
 * have it yet: a stale read). The server's settings, set by the pattern's
 * topology, make the difference; this class is the same for all three.
 */
export class PgRegister implements ConsistencyPattern {
  constructor(
    private readonly primary: PgNode,
    private readonly reader: PgNode,
  ) {}

  async read(key: string): Promise<Served & { value: string | null }> {
    const { rows } = await this.reader.pool.query<{ value: string }>('SELECT value FROM registers WHERE key = $1', [key]);
    return { value: rows[0]?.value ?? null, node: this.reader.name };
  }

  async write(key: string, value: string): Promise<Served> {
    await this.primary.pool.query('INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    return { node: this.primary.name };
  }

  /** One conditional statement: an UPDATE guarded by the value, or, from `null`, an INSERT that does nothing if the key exists. */
  async cas(key: string, from: string | null, to: string): Promise<Served & { swapped: boolean }> {
    const { rowCount } =
      from === null
        ? await this.primary.pool.query('INSERT INTO registers (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, to])
        : await this.primary.pool.query('UPDATE registers SET value = $3 WHERE key = $1 AND value = $2', [key, from, to]);
    return { swapped: rowCount === 1, node: this.primary.name };
  }

  close(): Promise<unknown> {
    return Promise.allSettled([this.primary.pool.end(), this.reader !== this.primary ? this.reader.pool.end() : undefined]);
  }
}
