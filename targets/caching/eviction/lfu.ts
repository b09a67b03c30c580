import { checkCapacity, type EvictingCache } from './policy.ts';

/**
 * LFU (in-cache counts): evicts the entry with the fewest hits since it was
 * inserted, the least recently used among equals; a new entry starts at
 * one. O(1): entries sit in one bucket a count, each bucket a Map in the
 * order its entries reached that count.
 */
export class LfuCache<K, V> implements EvictingCache<K, V> {
  private readonly entries = new Map<K, { value: V; count: number }>();
  private readonly buckets = new Map<number, Map<K, true>>();
  private minCount = 0;

  constructor(private readonly capacity: number) {
    checkCapacity('lfu', capacity);
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.move(key, entry.count, entry.count + 1);
    entry.count++;
    return entry.value;
  }

  set(key: K, value: V): void {
    const entry = this.entries.get(key);
    if (entry) {
      entry.value = value;
      return;
    }
    if (this.entries.size >= this.capacity) this.evict();
    this.entries.set(key, { value, count: 1 });
    this.bucket(1).set(key, true);
    this.minCount = 1;
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.buckets.get(entry.count)!.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    // minCount may point at a bucket emptied by delete: walk up to the first non-empty one.
    let bucket = this.buckets.get(this.minCount);
    while (!bucket || bucket.size === 0) bucket = this.buckets.get(++this.minCount);
    const victim = bucket.keys().next().value as K;
    bucket.delete(victim);
    this.entries.delete(victim);
  }

  private move(key: K, from: number, to: number): void {
    const source = this.buckets.get(from)!;
    source.delete(key);
    if (source.size === 0 && this.minCount === from) this.minCount = to;
    this.bucket(to).set(key, true);
  }

  private bucket(count: number): Map<K, true> {
    let b = this.buckets.get(count);
    if (!b) this.buckets.set(count, (b = new Map()));
    return b;
  }
}
