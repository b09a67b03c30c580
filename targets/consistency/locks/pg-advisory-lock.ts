import pg from 'pg';
import type { DistributedLock, Held } from './lock.ts';

/**
 * A PostgreSQL session-level advisory lock (`pg_try_advisory_lock`), held
 * on a session of its own. PostgreSQL releases it when the session ends;
 * the lease is `idle_session_timeout`, which ends a session idle that long —
 * as the lock's session is while its holder works — so a frozen holder loses
 * the lock after `leaseMs` while a crashed one loses it at once. Fencing
 * tokens come from a sequence (`lock_fence`, made by `prepareCounters`), drawn
 * once the lock is held.
 */
export class PgAdvisoryLock implements DistributedLock {
  constructor(
    private readonly url: string,
    private readonly connectTimeoutMs: number,
  ) {}

  async tryAcquire(name: string, leaseMs: number, fencing: boolean): Promise<Held | undefined> {
    const session = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: this.connectTimeoutMs, query_timeout: this.connectTimeoutMs });
    // The server ending the session (the lease) surfaces here, and means only that the lock is gone.
    session.on('error', () => undefined);
    const end = () => session.end().catch(() => undefined);
    try {
      await session.connect();
      await session.query(`SET idle_session_timeout = ${Math.max(1, Math.round(leaseMs))}`);
      const { rows } = await session.query<{ held: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [name]);
      if (!rows[0].held) {
        await end();
        return undefined;
      }
      const token = fencing ? Number((await session.query<{ t: string }>("SELECT nextval('lock_fence') AS t")).rows[0].t) : undefined;
      return {
        ...(token === undefined ? {} : { token }),
        release: async () => {
          await session.query('SELECT pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
          await end();
        },
      };
    } catch (err) {
      await end();
      throw err;
    }
  }

  close(): Promise<unknown> {
    return Promise.resolve();
  }
}
