import { LRUCache } from 'lru-cache';
import { checkCapacity, type EvictingCache } from './policy.ts';

/** LRU: evicts the entry used longest ago; `lru-cache` is the policy. */
export class LruCache<K extends {}, V extends {}> implements EvictingCache<K, V> {
  private readonly lru: LRUCache<K, V>;

  constructor(capacity: number) {
    checkCapacity('lru', capacity);
    this.lru = new LRUCache<K, V>({ max: capacity });
  }

  get(key: K): V | undefined {
    return this.lru.get(key);
  }

  set(key: K, value: V): void {
    this.lru.set(key, value);
  }

  delete(key: K): void {
    this.lru.delete(key);
  }

  get size(): number {
    return this.lru.size;
  }
}
