import type { Pool } from 'pg';
import { z } from 'zod';
import { CacheAside, type RedisClient } from './cache-aside.ts';

/** What every caching pattern is built from: Redis as the cache, PostgreSQL as the source of truth. */
export interface CachingBackends {
  redis: RedisClient;
  pg: Pool;
}

/** The family's API as a plain class: `undefined` from `get` when the item does not exist. */
export interface CachingPattern {
  get(id: string): Promise<{ value: string; version: number; cache: 'hit' | 'miss' } | undefined>;
  put(id: string, value: string): Promise<{ version: number }>;
  delete(id: string): Promise<boolean>;
}

/** The options every caching pattern takes. */
const common = {
  /** Items `k0`…`k{n-1}` seeded into PostgreSQL before the service answers. */
  seedItems: z.number().int().nonnegative().default(1000),
};

/**
 * The caching family's one registry: each pattern once, with its options
 * (defaults filled in, unknown ones refused) and how to build it. The
 * service (`server.ts`) and the runner (`index.ts`) both read it.
 */
export const cachingPatterns = {
  'cache-aside': {
    description: 'Redis in front of PostgreSQL: filled on a read miss, invalidated (DEL) on a write',
    options: z.object({ ...common, ttlSeconds: z.number().int().positive().default(60) }).strict(),
    create: (b: CachingBackends, o: { ttlSeconds: number }): CachingPattern => new CacheAside(b.redis, b.pg, o.ttlSeconds),
  },
} as const;

export type CachingPatternName = keyof typeof cachingPatterns;
