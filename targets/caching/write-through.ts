import { CacheUnavailable, cacheKey, decodeItem, fromCache, type ItemRead, type ItemTable, type RedisClient } from './items.ts';

// Stores a copy only if Redis holds none, or an older version: two writers
// (or a writer and a reader filling a miss) that reach Redis out of order
// leave the newer version there, not the later-arriving one.
const SET_IF_NEWER = `
local cur = redis.call('GET', KEYS[1])
if cur and cjson.decode(cur).version >= tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/**
 * Write-through: a write reaches PostgreSQL and then Redis before it is
 * acknowledged, so the cache holds what was written (and a read right after
 * a write hits). Reads are served from Redis, or loaded from PostgreSQL on a
 * miss. Copies are stored only over older versions (see SET_IF_NEWER).
 *
 * PostgreSQL first: a write Redis never got still committed, so none is lost
 * with Redis; the price is a write that waits for both. When Redis does not
 * answer, reads are served from PostgreSQL and a write commits there and is
 * acknowledged; a copy it could not update lives on until its TTL (the hole
 * a partition leaves). Every method throws PostgreSQL's error as is.
 */
export class WriteThrough {
  constructor(
    private readonly redis: RedisClient,
    private readonly table: ItemTable,
    private readonly options: { ttlSeconds: number },
  ) {}

  async get(id: string): Promise<ItemRead | undefined> {
    let text: string | null;
    try {
      text = await fromCache(this.redis.get(cacheKey(id)));
    } catch (err) {
      if (!(err instanceof CacheUnavailable)) throw err;
      const item = await this.table.load(id);
      return item && { ...item, cache: 'miss', loaded: true };
    }
    if (text !== null) {
      const { value, version } = decodeItem(text);
      return { value, version, cache: 'hit', loaded: false };
    }
    const item = await this.table.load(id);
    if (!item) return undefined;
    await this.store(id, item);
    return { ...item, cache: 'miss', loaded: true };
  }

  /** Writes the value to PostgreSQL, then its copy to Redis; returns the new version. */
  async put(id: string, value: string): Promise<{ version: number }> {
    const version = await this.table.write(id, value);
    await this.store(id, { value, version });
    return { version };
  }

  /** Deletes the item from PostgreSQL, then its copy; `false` if it did not exist. */
  async delete(id: string): Promise<boolean> {
    const existed = await this.table.delete(id);
    await this.redis.del(cacheKey(id)).catch((err: Error) => console.error(`dropping ${id}'s copy: ${err.message}`));
    return existed;
  }

  private async store(id: string, item: { value: string; version: number }): Promise<void> {
    await this.redis
      .eval(SET_IF_NEWER, { keys: [cacheKey(id)], arguments: [JSON.stringify(item), String(item.version), String(this.options.ttlSeconds)] })
      .catch((err: Error) => console.error(`caching ${id}: ${err.message}`));
  }
}
