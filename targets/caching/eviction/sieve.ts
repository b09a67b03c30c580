import { SieveCache as Sieve } from '@neophi/sieve-cache';
import { checkCapacity, type EvictingCache } from './policy.ts';

/**
 * SIEVE (Zhang et al., NSDI 2024): a FIFO queue with a visited bit and a
 * hand that sweeps from the oldest entry, clearing bits, and evicts the
 * first unvisited one; `@neophi/sieve-cache` is the policy. Replacing an
 * existing entry's value leaves its visited bit alone.
 */
export class SieveCache<K, V> implements EvictingCache<K, V> {
  private readonly sieve: Sieve<K, V>;

  constructor(capacity: number) {
    checkCapacity('sieve', capacity);
    this.sieve = new Sieve<K, V>(capacity);
  }

  get(key: K): V | undefined {
    return this.sieve.get(key);
  }

  set(key: K, value: V): void {
    this.sieve.set(key, value);
  }

  delete(key: K): void {
    this.sieve.delete(key);
  }

  get size(): number {
    return this.sieve.size;
  }
}
