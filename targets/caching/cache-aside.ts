import type { RedisClientType } from 'redis';
import type { Pool } from 'pg';

/** What a read returns: the value, the version it carries, and where it came from. */
export interface CachedRead {
  value: string;
  version: number;
  cache: 'hit' | 'miss';
}

/** Any node-redis client (whatever modules or scripts it was built with). */
export type RedisClient = Pick<RedisClientType, 'get' | 'set' | 'del'>;

/** The Redis key an item is cached under. */
export const cacheKey = (id: string): string => `item:${id}`;

/**
 * Cache-aside (lazy loading with explicit invalidation): PostgreSQL is the
 * source of truth, Redis holds copies that readers fill and writers delete.
 * Every method throws the backend's error as is; the caller decides what a
 * failure means.
 *
 * The pattern's known hole is left in on purpose, since exposing it is the
 * point of the benchmark: a reader that misses, reads version n from
 * PostgreSQL and is slow to SET can write n into Redis after a writer has
 * committed n+1 and deleted the key; that stale copy is then served until
 * the TTL ends it. `ttlSeconds` bounds how long any stale copy can live.
 */
export class CacheAside {
  constructor(
    private readonly redis: RedisClient,
    private readonly pg: Pool,
    private readonly ttlSeconds: number,
  ) {}

  /** The item, from Redis when cached, else from PostgreSQL (then cached); `undefined` if absent. */
  async get(id: string): Promise<CachedRead | undefined> {
    const cached = await this.redis.get(cacheKey(id));
    if (cached !== null) {
      const { value, version } = JSON.parse(cached) as { value: string; version: number };
      return { value, version, cache: 'hit' };
    }
    const { rows } = await this.pg.query<{ value: string; version: string }>('SELECT value, version FROM items WHERE id = $1', [id]);
    // Absent items are not cached (no negative caching): a later put is seen at once.
    if (rows.length === 0) return undefined;
    const item = { value: rows[0].value, version: Number(rows[0].version) };
    // The version travels with the value so that a hit reports the version it served.
    await this.redis.set(cacheKey(id), JSON.stringify(item), { expiration: { type: 'EX', value: this.ttlSeconds } });
    return { ...item, cache: 'miss' };
  }

  /**
   * Writes the value to PostgreSQL (creating the item at version 1, or
   * bumping its version) and then deletes the cached copy; returns the new
   * version. Deleting rather than updating the copy keeps two writers from
   * leaving Redis with the older of their values.
   */
  async put(id: string, value: string): Promise<{ version: number }> {
    const { rows } = await this.pg.query<{ version: string }>(
      `INSERT INTO items (id, value, version) VALUES ($1, $2, 1)
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = items.version + 1
       RETURNING version`,
      [id, value],
    );
    await this.redis.del(cacheKey(id));
    return { version: Number(rows[0].version) };
  }

  /**
   * Deletes the item from PostgreSQL, then its cached copy; `false` if it did
   * not exist. A later put starts the item again at version 1.
   */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pg.query('DELETE FROM items WHERE id = $1', [id]);
    await this.redis.del(cacheKey(id));
    return (rowCount ?? 0) > 0;
  }
}
