import type { Pool } from 'pg';
import { z } from 'zod';
import { CacheAside } from './cache-aside.ts';
import { type EvictionPolicyName, evictionPolicies } from './eviction/index.ts';
import { type ItemRead, ItemTable, type RedisClient } from './items.ts';
import { hottestKeys } from './warming.ts';
import { WriteBack } from './write-back.ts';
import { WriteThrough } from './write-through.ts';

/** What every caching pattern is built from: Redis as the cache, PostgreSQL as the source of truth. */
export interface CachingBackends {
  redis: RedisClient;
  pg: Pool;
}

/** The family's API as a plain class: `undefined` from `get` when the item does not exist. */
export interface CachingPattern {
  get(id: string): Promise<ItemRead | undefined>;
  put(id: string, value: string): Promise<{ version: number }>;
  delete(id: string): Promise<boolean>;
  /** Work before the first request (warming, a flusher). */
  start?(): Promise<void> | void;
  /** Work on a graceful stop, after the last request (a final flush). */
  close?(): Promise<void>;
}

/** The options every caching pattern takes; they shape the topology too (`index.ts`). */
const common = {
  /** Items `k0`…`k{n-1}` seeded into PostgreSQL before the service answers (YCSB's load phase). */
  seedItems: z.number().int().nonnegative().default(1000),
  /** Size of each seeded value, bytes: YCSB's record is 10 fields of 100 bytes. */
  valueBytes: z.number().int().positive().default(1000),
  ttlSeconds: z.number().int().positive().default(60),
  /** Database time a read's load costs (`pg_sleep` in the query), ms: the expensive query a cache protects. */
  loadCostMs: z.number().nonnegative().default(0),
  /** Service replicas sharing the one Redis and PostgreSQL (`target-1` … `target-N`). */
  replicas: z.number().int().positive().default(1),
  /** Redis's memory limit and eviction policy; absent: no limit. */
  redisMaxmemory: z
    .object({
      bytes: z.number().int().positive(),
      policy: z.enum(['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']),
      samples: z.number().int().min(1).max(64).default(5),
    })
    .strict()
    .optional(),
};

const cacheAsideOptions = z
  .object({
    ...common,
    invalidation: z.enum(['delete', 'ttl', 'version']).default('delete'),
    stampede: z.enum(['none', 'single-flight', 'redis-lock', 'xfetch', 'lease']).default('none'),
    lockMs: z.number().int().positive().default(3000),
    pollMs: z.number().int().positive().default(10),
    xfetchBeta: z.number().positive().default(1),
    /** Cache warming: before traffic, load the N keys YCSB's zipfian makes most popular over the seeded items. */
    warmKeys: z.number().int().nonnegative().default(0),
    /** An in-process tier in front of Redis, in each replica: eviction policy, size in items, how long a copy serves. */
    localTier: z
      .object({
        policy: z.enum(Object.keys(evictionPolicies) as [EvictionPolicyName, ...EvictionPolicyName[]]),
        capacity: z.number().int().positive(),
        ttlMs: z.number().int().positive().default(5000),
      })
      .strict()
      .optional(),
  })
  .strict();

const writeBackOptions = z
  .object({
    ...common,
    flushIntervalMs: z.number().int().positive().default(1000),
    flushBatch: z.number().int().positive().default(100),
  })
  .strict();

/**
 * The caching family's one registry: each pattern once, with its options
 * (defaults filled in, unknown ones refused) and how to build it. The
 * service (`server.ts`) and the runner (`index.ts`) both read it.
 */
export const cachingPatterns = {
  'cache-aside': {
    description: 'Redis in front of PostgreSQL: filled on a read miss; a write invalidates by delete, TTL or version check; optional stampede protection',
    options: cacheAsideOptions,
    create: (b: CachingBackends, o: z.infer<typeof cacheAsideOptions>): CachingPattern => {
      const pattern = new CacheAside(b.redis, new ItemTable(b.pg, o.loadCostMs), o);
      return { get: (id) => pattern.get(id), put: (id, v) => pattern.put(id, v), delete: (id) => pattern.delete(id), start: () => warmHottest(pattern, o) };
    },
  },
  'write-through': {
    description: 'writes go to PostgreSQL, then Redis, before the ack; reads from Redis, loaded on a miss',
    options: z.object(common).strict(),
    create: (b: CachingBackends, o: CommonOptions): CachingPattern => new WriteThrough(b.redis, new ItemTable(b.pg, o.loadCostMs), o),
  },
  'write-back': {
    description: 'writes acknowledged once in Redis, flushed to PostgreSQL in batches; reads from Redis, loaded on a miss',
    options: writeBackOptions,
    create: (b: CachingBackends, o: z.infer<typeof writeBackOptions>): CachingPattern => new WriteBack(b.redis, new ItemTable(b.pg, o.loadCostMs), o),
  },
} as const;

export type CachingPatternName = keyof typeof cachingPatterns;

/** The options every caching pattern shares, as parsed. */
export type CommonOptions = z.infer<z.ZodObject<typeof common>>;

async function warmHottest(pattern: CacheAside, o: z.infer<typeof cacheAsideOptions>): Promise<void> {
  if (o.warmKeys === 0) return;
  const cached = await pattern.warm(hottestKeys(o.seedItems, o.warmKeys));
  console.log(`warmed ${cached} of the ${o.warmKeys} most popular items`);
}
