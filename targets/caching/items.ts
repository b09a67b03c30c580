import type { Pool } from 'pg';
import type { RedisClientType } from 'redis';

/** Any node-redis client (whatever modules or scripts it was built with). */
export type RedisClient = Pick<RedisClientType, 'get' | 'set' | 'del' | 'eval' | 'sAdd' | 'sPopCount' | 'mGet'>;

/** What every caching pattern answers for a read: the value, its version, where it came from, and whether this request loaded it from PostgreSQL. */
export interface ItemRead {
  value: string;
  version: number;
  /** `hit`: served from the cache; `miss`: from PostgreSQL (this request's load, or one it waited on). */
  cache: 'hit' | 'miss';
  /** This request read the item from PostgreSQL (a miss it filled, an early refresh, a version mismatch). */
  loaded: boolean;
  /** A hit served by the replica's in-process tier rather than by Redis. */
  tier?: 'local';
}

/** An item as Redis holds it: the version travels with the value, so a hit reports the version it served. */
export interface CachedItem {
  value: string;
  version: number;
  /** XFetch's bookkeeping: how long the load that cached it took, and when the copy expires (ms since the epoch). */
  loadMs?: number;
  expiresAtMs?: number;
}

/** Redis did not answer (refused, reset, timed out): patterns whose truth is in PostgreSQL carry on without the cache. */
export class CacheUnavailable extends Error {
  constructor(cause: unknown) {
    super(`cache unavailable: ${(cause as Error)?.message || (cause as Error)?.constructor?.name || String(cause)}`, { cause });
  }
}

/** `request`'s result, or a `CacheUnavailable` carrying its error. */
export function fromCache<T>(request: Promise<T>): Promise<T> {
  return request.catch((err: unknown) => {
    throw new CacheUnavailable(err);
  });
}

/**
 * `client` with every command given up after `timeoutMs`: node-redis times
 * a command only until it is written to the socket, so against a Redis that
 * accepts bytes and never answers (a blackholed link) a reply would be
 * awaited forever. The abandoned reply, if it ever comes, is consumed in
 * order by the connection as usual.
 */
export function withCommandTimeout(client: RedisClient, timeoutMs: number): RedisClient {
  return new Proxy(client, {
    get(target, name, receiver) {
      const member = Reflect.get(target, name, receiver);
      if (typeof member !== 'function') return member;
      return (...args: unknown[]) => {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis did not answer ${String(name)} within ${timeoutMs} ms`)), timeoutMs);
        });
        return Promise.race([member.apply(target, args), expired]).finally(() => clearTimeout(timer));
      };
    },
  });
}

/** The Redis key an item is cached under. */
export const cacheKey = (id: string): string => `item:${id}`;

/** Parses a cached item; throws when Redis holds something else under the key (a bug, not a miss). */
export function decodeItem(text: string): CachedItem {
  const item = JSON.parse(text) as CachedItem;
  if (typeof item.value !== 'string' || typeof item.version !== 'number')
    throw new Error(`cache holds an item that is not { value, version }: ${text.slice(0, 80)}`);
  return item;
}

/**
 * The source of truth: the `items` table (`id`, `value`, `version`). Every
 * method throws the database's error as is. `loadCostMs` makes a read's
 * load cost that much database time (`pg_sleep` in the same query), standing
 * for the expensive query or computation a cache protects.
 */
export class ItemTable {
  constructor(
    private readonly pg: Pool,
    private readonly loadCostMs = 0,
  ) {}

  /** The item, or undefined when it does not exist. */
  async load(id: string): Promise<{ value: string; version: number } | undefined> {
    const { rows } =
      this.loadCostMs > 0
        ? await this.pg.query<{ value: string; version: string }>('SELECT value, version FROM items, pg_sleep($2::float8) WHERE id = $1', [
            id,
            this.loadCostMs / 1000,
          ])
        : await this.pg.query<{ value: string; version: string }>('SELECT value, version FROM items WHERE id = $1', [id]);
    return rows.length === 0 ? undefined : { value: rows[0].value, version: Number(rows[0].version) };
  }

  /** The item's current version, or undefined when it does not exist (a cheap query: what a version check costs). */
  async version(id: string): Promise<number | undefined> {
    const { rows } = await this.pg.query<{ version: string }>('SELECT version FROM items WHERE id = $1', [id]);
    return rows.length === 0 ? undefined : Number(rows[0].version);
  }

  /** Writes the value: creates the item at version 1 or bumps its version; returns the new version. */
  async write(id: string, value: string): Promise<number> {
    const { rows } = await this.pg.query<{ version: string }>(
      `INSERT INTO items (id, value, version) VALUES ($1, $2, 1)
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = items.version + 1
       RETURNING version`,
      [id, value],
    );
    return Number(rows[0].version);
  }

  /**
   * Writes items whose versions were decided elsewhere (write-back's cache),
   * in one statement; a row keeps a newer version it already has, so a late
   * or repeated flush never moves an item back.
   */
  async writeVersions(items: readonly { id: string; value: string; version: number }[]): Promise<void> {
    if (items.length === 0) return;
    await this.pg.query(
      `INSERT INTO items (id, value, version)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = excluded.version
       WHERE items.version < excluded.version`,
      [items.map((i) => i.id), items.map((i) => i.value), items.map((i) => i.version)],
    );
  }

  /** Deletes the item; whether it existed. */
  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pg.query('DELETE FROM items WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0;
  }
}
