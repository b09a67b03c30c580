import { checkCapacity, type EvictingCache } from './policy.ts';

/** FIFO: evicts the entry inserted longest ago; hits change nothing. A Map keeps insertion order, which is the whole policy. */
export class FifoCache<K, V> implements EvictingCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    checkCapacity('fifo', capacity);
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
