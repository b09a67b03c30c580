import { FifoCache } from './fifo.ts';
import { LfuCache } from './lfu.ts';
import { LruCache } from './lru.ts';
import type { EvictingCache } from './policy.ts';
import { S3FifoCache } from './s3-fifo.ts';
import { SieveCache } from './sieve.ts';
import { WTinyLfuCache } from './w-tinylfu.ts';

export { access, type EvictingCache } from './policy.ts';

/** The in-process tier's eviction policies by name: each a class built with its capacity in entries. */
export const evictionPolicies = {
  fifo: FifoCache,
  lru: LruCache,
  lfu: LfuCache,
  'w-tinylfu': WTinyLfuCache,
  sieve: SieveCache,
  's3-fifo': S3FifoCache,
} as const;

export type EvictionPolicyName = keyof typeof evictionPolicies;

/** A cache of `capacity` entries (a whole number ≥ 1, else it throws) under `policy`. */
export function createCache<K extends {}, V extends {}>(policy: EvictionPolicyName, capacity: number): EvictingCache<K, V> {
  const Policy = evictionPolicies[policy] as new (capacity: number) => EvictingCache<K, V>;
  return new Policy(capacity);
}
