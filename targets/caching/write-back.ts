import { cacheKey, decodeItem, type ItemRead, type ItemTable, type RedisClient } from './items.ts';

export interface WriteBackOptions {
  ttlSeconds: number;
  /** How often the flusher drains the dirty set into PostgreSQL. */
  flushIntervalMs: number;
  /** Items per flush statement. */
  flushBatch: number;
}

/** The Redis set of ids whose cached copy is newer than PostgreSQL's row. */
export const DIRTY_SET = 'dirty';

// One atomic write: the next version (the cached copy's + 1, or PostgreSQL's
// + 1 when nothing is cached), stored without a TTL (a dirty copy must not
// expire before it is flushed) and marked dirty.
const WRITE = `
local cur = redis.call('GET', KEYS[1])
local version
if cur then version = cjson.decode(cur).version + 1 else version = tonumber(ARGV[2]) + 1 end
redis.call('SET', KEYS[1], cjson.encode({value = ARGV[1], version = version}))
redis.call('SADD', KEYS[2], ARGV[3])
return version`;
// A flushed copy becomes an ordinary cached copy (with a TTL) unless a write made it dirty again meanwhile.
const MARK_CLEAN = `
local cur = redis.call('GET', KEYS[1])
if cur and cjson.decode(cur).version == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/**
 * Write-back (write-behind): a write is acknowledged once Redis holds it,
 * and reaches PostgreSQL later, when a flusher drains the dirty set — every
 * `flushIntervalMs`, `flushBatch` items a statement, until the set is empty.
 * Reads are served from Redis, or loaded from PostgreSQL on a miss (stored
 * only if no write got there first).
 *
 * Its risk is the point: an acknowledged write lives only in Redis until it
 * is flushed. Redis killed before a flush (it runs without persistence)
 * loses it, and the next read serves PostgreSQL's older version. A write to
 * an uncached item reads its version from PostgreSQL first. A delete goes to
 * PostgreSQL and drops the copy; one racing a flush of the same item may see
 * the item written back.
 */
export class WriteBack {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly table: ItemTable,
    private readonly options: WriteBackOptions,
  ) {}

  async get(id: string): Promise<ItemRead | undefined> {
    const text = await this.redis.get(cacheKey(id));
    if (text !== null) {
      const { value, version } = decodeItem(text);
      return { value, version, cache: 'hit', loaded: false };
    }
    const item = await this.table.load(id);
    if (!item) return undefined;
    await this.redis.set(cacheKey(id), JSON.stringify(item), { expiration: { type: 'EX', value: this.options.ttlSeconds }, condition: 'NX' });
    return { ...item, cache: 'miss', loaded: true };
  }

  /** Stores the value in Redis as the next version and marks it dirty; PostgreSQL sees it at the next flush. */
  async put(id: string, value: string): Promise<{ version: number }> {
    const cached = await this.redis.get(cacheKey(id));
    const base = cached === null ? ((await this.table.version(id)) ?? 0) : 0;
    const version = await this.redis.eval(WRITE, { keys: [cacheKey(id), DIRTY_SET], arguments: [value, String(base), id] });
    return { version: Number(version) };
  }

  async delete(id: string): Promise<boolean> {
    const existed = await this.table.delete(id);
    await this.redis.del(cacheKey(id));
    return existed;
  }

  /** Starts the flusher. */
  start(): void {
    this.timer = setInterval(() => void this.flush().catch((err: Error) => console.error(`write-back flush: ${err.message}`)), this.options.flushIntervalMs);
  }

  /** Stops the flusher and flushes what is dirty (a graceful stop loses nothing); throws the backend's error. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush();
  }

  /** Drains the dirty set into PostgreSQL, one batch at a time; one flush at a time. A batch PostgreSQL refuses goes back into the set. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const ids = await this.redis.sPopCount(DIRTY_SET, this.options.flushBatch);
      if (ids.length === 0) return;
      const texts = await this.redis.mGet(ids.map(cacheKey));
      const items = ids.flatMap((id, i) => (texts[i] === null ? [] : [{ id, ...decodeItem(texts[i]!) }]));
      try {
        await this.table.writeVersions(items);
      } catch (err) {
        await this.redis.sAdd(DIRTY_SET, ids);
        throw err;
      }
      await Promise.all(
        items.map((item) => this.redis.eval(MARK_CLEAN, { keys: [cacheKey(item.id)], arguments: [String(item.version), String(this.options.ttlSeconds)] })),
      );
    }
  }
}
