import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCache, type EvictingCache, type EvictionPolicyName } from './eviction/index.ts';
import { type CachedItem, CacheUnavailable, cacheKey, decodeItem, fromCache, type ItemRead, type ItemTable, type RedisClient } from './items.ts';

/** How a write makes cached copies go away. */
export type Invalidation = 'ttl' | 'delete' | 'version';

/** What readers that miss together do about it. */
export type StampedeProtection = 'none' | 'single-flight' | 'redis-lock' | 'xfetch' | 'lease';

export interface CacheAsideOptions {
  ttlSeconds: number;
  invalidation: Invalidation;
  stampede: StampedeProtection;
  /** How long a Redis lock or a lease is held at most before another reader may load (the holder may have died). */
  lockMs: number;
  /** How often a reader waiting on a lock or a lease looks again. */
  pollMs: number;
  /** XFetch's β (Vattani et al.): > 1 refreshes earlier, < 1 later. */
  xfetchBeta: number;
  /** An in-process tier in front of Redis: its eviction policy, its size in items, how long a copy may serve. */
  localTier?: { policy: EvictionPolicyName; capacity: number; ttlMs: number };
}

/** A copy in the in-process tier, and when it stops serving (ms since the epoch). */
interface LocalCopy {
  value: string;
  version: number;
  expiresAtMs: number;
}

const leaseKey = (id: string): string => `lease:${id}`;
const lockKey = (id: string): string => `lock:${id}`;

// Memcache's lease get (Nishtala et al., NSDI 2013), as one atomic step: the
// value if cached; else a lease token, to one reader per lease period; else
// "wait" — another reader holds the lease and is loading.
const LEASE_GET = `
local v = redis.call('GET', KEYS[1])
if v then return {'value', v} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {'lease', ARGV[1]} end
return {'wait'}`;
// A lease set stores the value only while the token is still the item's
// lease: a write in between deleted the lease, and with it the right to
// store what may by now be an old value.
const LEASE_SET = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0`;
// Releases a lock only if this reader still holds it (it may have expired and passed to another).
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Cache-aside (lazy loading): PostgreSQL is the source of truth, Redis holds
 * copies that readers fill on a miss. A write goes to PostgreSQL, then:
 * - `delete`: deletes the cached copy (the next read misses and reloads);
 * - `ttl`: leaves it — a copy is stale until its TTL ends it;
 * - `version`: leaves it, and every read checks the copy's version against
 *   PostgreSQL's (one cheap query a read), reloading on a mismatch.
 *
 * Readers that miss the same key at once (a hot key expiring) each load it
 * from PostgreSQL unless `stampede` says otherwise:
 * - `single-flight`: in this process, the first miss loads, the rest await it;
 * - `redis-lock`: across processes, a `SET NX PX` lock: the holder loads, the
 *   rest poll the cache until it is filled;
 * - `lease`: memcache's leases — one lease token per key and period; a write
 *   deletes the lease, so a load that raced with a write cannot store its
 *   old value;
 * - `xfetch`: probabilistic early expiration (Vattani, Chierichetti and
 *   Lowenstein, VLDB 2015): a hit refreshes the copy with probability rising
 *   toward its expiry, scaled by how long a load takes, so the hot key is
 *   reloaded before it expires rather than by a crowd after.
 *
 * When Redis does not answer (down, partitioned, past its command timeout)
 * the cache is skipped, not the request: a read is served from PostgreSQL
 * (`miss`, `loaded`) and a write commits there; an invalidation that could
 * not reach Redis is logged, and a copy it missed lives until its TTL.
 *
 * With `localTier`, each replica keeps recent items in process too (FIFO,
 * LRU, LFU, W-TinyLFU, SIEVE or S3-FIFO, `eviction/`), for `ttlMs` at most:
 * a hit there costs no network at all; a write deletes the copy only in the
 * replica that served it, so other replicas may serve theirs until it
 * expires. (`version` invalidation checks PostgreSQL on every read and
 * keeps no local tier.)
 *
 * The pattern's known hole is left in on purpose (exposing it is the point
 * of the benchmark): a reader that misses, reads version n from PostgreSQL
 * and is slow to SET can store n after a writer has committed n+1 and
 * deleted the key; that stale copy is then served until the TTL ends it.
 * Leases close it; `version` invalidation never serves it. Every method
 * throws the backend's error as is; the caller decides what a failure means.
 */
export class CacheAside {
  private readonly inFlight = new Map<string, Promise<{ value: string; version: number } | undefined>>();
  private readonly local: EvictingCache<string, LocalCopy> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly table: ItemTable,
    private readonly options: CacheAsideOptions,
  ) {
    const tier = options.localTier;
    this.local = tier && options.invalidation !== 'version' ? createCache<string, LocalCopy>(tier.policy, tier.capacity) : undefined;
  }

  /** The item, from Redis when cached (and, under `version`, current), else from PostgreSQL; `undefined` if absent. */
  async get(id: string): Promise<ItemRead | undefined> {
    const near = this.local?.get(id);
    if (near && near.expiresAtMs > Date.now()) return { value: near.value, version: near.version, cache: 'hit', loaded: false, tier: 'local' };
    try {
      const item = await this.getThroughCache(id);
      if (item && this.local) this.local.set(id, { value: item.value, version: item.version, expiresAtMs: Date.now() + this.options.localTier!.ttlMs });
      return item;
    } catch (err) {
      if (!(err instanceof CacheUnavailable)) throw err;
      const item = await this.table.load(id);
      return item && { ...item, cache: 'miss', loaded: true };
    }
  }

  private async getThroughCache(id: string): Promise<ItemRead | undefined> {
    if (this.options.invalidation === 'version') {
      const [cached, version] = await Promise.all([this.cached(id), this.table.version(id)]);
      if (version === undefined) return undefined;
      if (cached && cached.version === version) return { value: cached.value, version, cache: 'hit', loaded: false };
      return this.miss(id);
    }
    const cached = await this.cached(id);
    if (!cached) return this.miss(id);
    if (this.options.stampede === 'xfetch' && this.refreshEarly(cached)) {
      const item = await this.loadAndStore(id);
      return item && { ...item, cache: 'hit', loaded: true };
    }
    return { value: cached.value, version: cached.version, cache: 'hit', loaded: false };
  }

  /** Writes the value to PostgreSQL, then invalidates as configured; returns the new version. */
  async put(id: string, value: string): Promise<{ version: number }> {
    const version = await this.table.write(id, value);
    // Deleting rather than updating the copy keeps two writers from leaving Redis with the older of their values.
    if (this.options.invalidation === 'delete') await this.invalidate(id);
    return { version };
  }

  /** Deletes the item from PostgreSQL, then its cached copy (under every invalidation); `false` if it did not exist. */
  async delete(id: string): Promise<boolean> {
    const existed = await this.table.delete(id);
    await this.invalidate(id);
    return existed;
  }

  /** Drops the cached copy and any lease on it; a Redis that does not answer is logged, the write stands. */
  private async invalidate(id: string): Promise<void> {
    this.local?.delete(id);
    await this.redis.del([cacheKey(id), leaseKey(id)]).catch((err: Error) => console.error(`invalidating ${id}: ${err.message || err.constructor.name}`));
  }

  /**
   * Preloads items into Redis (cache warming), in batches of 100 concurrent
   * loads; returns how many it cached. Items that do not exist are skipped.
   */
  async warm(ids: readonly string[]): Promise<number> {
    let cached = 0;
    for (let i = 0; i < ids.length; i += 100) {
      const loaded = await Promise.all(ids.slice(i, i + 100).map((id) => this.loadAndStore(id)));
      cached += loaded.filter(Boolean).length;
    }
    return cached;
  }

  private async cached(id: string): Promise<CachedItem | undefined> {
    const text = await fromCache(this.redis.get(cacheKey(id)));
    return text === null ? undefined : decodeItem(text);
  }

  /** The miss path, by the stampede protection chosen. */
  private async miss(id: string): Promise<ItemRead | undefined> {
    switch (this.options.stampede) {
      case 'single-flight':
        return this.singleFlight(id);
      case 'redis-lock':
        return this.underLock(id);
      case 'lease':
        return this.underLease(id);
      default: {
        const item = await this.loadAndStore(id);
        return item && { ...item, cache: 'miss', loaded: true };
      }
    }
  }

  /** Loads from PostgreSQL and caches the copy (with XFetch's bookkeeping; a fill Redis refuses is skipped); undefined when absent (absent items are not cached). */
  private async loadAndStore(id: string): Promise<{ value: string; version: number } | undefined> {
    const started = Date.now();
    const item = await this.table.load(id);
    if (!item) return undefined;
    await this.redis
      .set(cacheKey(id), this.encode(item, Date.now() - started), { expiration: { type: 'EX', value: this.options.ttlSeconds } })
      .catch(() => undefined);
    return item;
  }

  private encode(item: { value: string; version: number }, loadMs: number): string {
    const cached: CachedItem = { ...item };
    if (this.options.stampede === 'xfetch') Object.assign(cached, { loadMs, expiresAtMs: Date.now() + this.options.ttlSeconds * 1000 });
    return JSON.stringify(cached);
  }

  /** XFetch's test: now − δ·β·ln(u) ≥ expiry, u uniform in (0, 1]. */
  private refreshEarly(cached: CachedItem): boolean {
    if (cached.loadMs === undefined || cached.expiresAtMs === undefined) return false;
    const u = 1 - Math.random();
    return Date.now() - Math.max(1, cached.loadMs) * this.options.xfetchBeta * Math.log(u) >= cached.expiresAtMs;
  }

  private async singleFlight(id: string): Promise<ItemRead | undefined> {
    const pending = this.inFlight.get(id);
    if (pending) {
      const item = await pending;
      return item && { ...item, cache: 'miss', loaded: false };
    }
    const load = this.loadAndStore(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, load);
    const item = await load;
    return item && { ...item, cache: 'miss', loaded: true };
  }

  private async underLock(id: string): Promise<ItemRead | undefined> {
    const token = randomUUID();
    const deadline = Date.now() + this.options.lockMs;
    for (;;) {
      const acquired = await fromCache(this.redis.set(lockKey(id), token, { expiration: { type: 'PX', value: this.options.lockMs }, condition: 'NX' }));
      if (acquired !== null) {
        try {
          // Another holder may have filled it between our miss and our lock.
          const filled = await this.cached(id);
          if (filled) return { value: filled.value, version: filled.version, cache: 'hit', loaded: false };
          const item = await this.loadAndStore(id);
          return item && { ...item, cache: 'miss', loaded: true };
        } finally {
          await this.redis.eval(UNLOCK, { keys: [lockKey(id)], arguments: [token] }).catch(() => undefined);
        }
      }
      await sleep(this.options.pollMs);
      const filled = await this.cached(id);
      if (filled) return { value: filled.value, version: filled.version, cache: 'hit', loaded: false };
      // The holder found nothing (an absent item is not cached) or is stuck: past the lock's life, load ourselves.
      if (Date.now() > deadline) {
        const item = await this.table.load(id);
        return item && { ...item, cache: 'miss', loaded: true };
      }
    }
  }

  private async underLease(id: string): Promise<ItemRead | undefined> {
    const deadline = Date.now() + this.options.lockMs;
    for (;;) {
      const token = randomUUID();
      const [kind, payload] = (await fromCache(
        this.redis.eval(LEASE_GET, { keys: [cacheKey(id), leaseKey(id)], arguments: [token, String(this.options.lockMs)] }),
      )) as [string, string | undefined];
      if (kind === 'value') {
        const cached = decodeItem(payload!);
        return { value: cached.value, version: cached.version, cache: 'hit', loaded: false };
      }
      if (kind === 'lease') {
        const item = await this.table.load(id);
        if (!item) {
          await this.redis.eval(UNLOCK, { keys: [leaseKey(id)], arguments: [token] }).catch(() => undefined);
          return undefined;
        }
        await this.redis
          .eval(LEASE_SET, { keys: [cacheKey(id), leaseKey(id)], arguments: [token, JSON.stringify(item), String(this.options.ttlSeconds)] })
          .catch(() => undefined);
        return { ...item, cache: 'miss', loaded: true };
      }
      if (Date.now() > deadline) {
        const item = await this.table.load(id);
        return item && { ...item, cache: 'miss', loaded: true };
      }
      await sleep(this.options.pollMs);
    }
  }
}
