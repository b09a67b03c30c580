/**
 * An in-process cache that holds at most `capacity` entries and picks what
 * to drop when it is full: the contract every eviction policy of the
 * caching family's in-process tier implements, and the one the trace
 * simulations replay keys through. Not thread-safe (Node has one thread).
 */
export interface EvictingCache<K, V> {
  /** The entry's value, or undefined; a hit counts as an access (recency, frequency). */
  get(key: K): V | undefined;
  /** Inserts or replaces; inserting into a full cache evicts by the policy first (some policies may refuse the newcomer: W-TinyLFU's admission). */
  set(key: K, value: V): void;
  /** Drops the entry, if present. */
  delete(key: K): void;
  readonly size: number;
}

/** One access of a trace: a hit, or a miss that then inserts the key (what a read-through cache does). */
export function access<K>(cache: EvictingCache<K, true>, key: K): boolean {
  if (cache.get(key) !== undefined) return true;
  cache.set(key, true);
  return false;
}

/** Throws unless `capacity` is a whole number ≥ 1. */
export function checkCapacity(policy: string, capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`${policy}: capacity must be a whole number ≥ 1, got ${capacity}`);
}
