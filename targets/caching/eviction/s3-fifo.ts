import { checkCapacity, type EvictingCache } from './policy.ts';
import { Queue } from './queue.ts';

interface Entry<K, V> {
  key: K;
  value: V;
  /** Hits since insertion, capped at 3 (two bits). */
  freq: number;
  queue: 'small' | 'main';
  /** Deleted while still queued: skipped when it reaches the front. */
  dead: boolean;
}

/**
 * S3-FIFO (Yang et al., SOSP 2023), as the paper's Algorithm 1: a small FIFO
 * (10 % of the entries) that new keys enter, a main FIFO (the rest), and a
 * ghost FIFO of keys recently evicted from the small one (as many keys as the
 * main holds). Evicting from the small queue moves an entry hit more than
 * once into the main queue, and evicts the rest into the ghost; a key found
 * in the ghost goes straight into the main queue. The main queue reinserts
 * an entry with hits left, one hit less (a CLOCK with a 2-bit counter).
 */
export class S3FifoCache<K, V> implements EvictingCache<K, V> {
  private readonly entries = new Map<K, Entry<K, V>>();
  private readonly small = new Queue<Entry<K, V>>();
  private readonly main = new Queue<Entry<K, V>>();
  private smallCount = 0;
  private mainCount = 0;
  private readonly ghost = new Map<K, number>();
  private readonly ghostQueue = new Queue<{ key: K; stamp: number }>();
  private stamp = 0;
  private readonly smallCapacity: number;
  private readonly mainCapacity: number;

  constructor(private readonly capacity: number) {
    checkCapacity('s3-fifo', capacity);
    this.smallCapacity = Math.max(1, Math.floor(capacity / 10));
    this.mainCapacity = capacity - this.smallCapacity;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.freq = Math.min(entry.freq + 1, 3);
    return entry.value;
  }

  set(key: K, value: V): void {
    const existing = this.entries.get(key);
    if (existing) {
      existing.value = value;
      return;
    }
    while (this.smallCount + this.mainCount >= this.capacity) this.evict();
    const entry: Entry<K, V> = { key, value, freq: 0, queue: 'small', dead: false };
    if (this.ghost.has(key)) {
      this.ghost.delete(key);
      entry.queue = 'main';
      this.main.push(entry);
      this.mainCount++;
    } else {
      this.small.push(entry);
      this.smallCount++;
    }
    this.entries.set(key, entry);
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.dead = true;
    this.entries.delete(key);
    if (entry.queue === 'small') this.smallCount--;
    else this.mainCount--;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    if (this.smallCount >= this.smallCapacity) this.evictSmall();
    else this.evictMain();
  }

  private evictSmall(): void {
    while (this.smallCount > 0) {
      const t = this.small.shift()!;
      if (t.dead) continue;
      this.smallCount--;
      if (t.freq > 1) {
        t.queue = 'main';
        this.main.push(t);
        this.mainCount++;
        if (this.mainCount > this.mainCapacity) this.evictMain();
      } else {
        this.entries.delete(t.key);
        this.addGhost(t.key);
        return;
      }
    }
  }

  private evictMain(): void {
    while (this.mainCount > 0) {
      const t = this.main.shift()!;
      if (t.dead) continue;
      if (t.freq > 0) {
        t.freq--;
        this.main.push(t);
      } else {
        this.mainCount--;
        this.entries.delete(t.key);
        return;
      }
    }
  }

  private addGhost(key: K): void {
    const stamp = ++this.stamp;
    this.ghost.set(key, stamp);
    this.ghostQueue.push({ key, stamp });
    // Drop the oldest records while the ghost is over its size, and stale
    // ones (the key left the ghost, or was added again since) at the front.
    for (let oldest = this.ghostQueue.peek(); oldest; oldest = this.ghostQueue.peek()) {
      const current = this.ghost.get(oldest.key) === oldest.stamp;
      if (current && this.ghost.size <= this.mainCapacity) break;
      this.ghostQueue.shift();
      if (current) this.ghost.delete(oldest.key);
    }
  }
}
