import { FrequencySketch, hashKey } from './frequency-sketch.ts';
import { checkCapacity, type EvictingCache } from './policy.ts';

/**
 * W-TinyLFU (Einziger, Friedman and Manes, ACM TOS 2017), as the paper sets
 * it up: a window LRU of 1 % of the entries that every new key enters, and a
 * main segmented LRU (20 % probation, 80 % protected) guarded by TinyLFU.
 * When the window overflows, its least recent entry (the candidate) enters
 * main only if the sketch says it was accessed more often than the entry main
 * would evict (probation's least recent); otherwise the candidate is dropped.
 * A probation hit promotes the entry to protected, whose overflow goes back
 * to probation. Every `get` counts an access in the sketch, hit or miss.
 *
 * The LRUs are Maps in recency order (least recent first): a hit deletes and
 * re-inserts the key.
 */
export class WTinyLfuCache<K, V> implements EvictingCache<K, V> {
  private readonly window = new Map<K, V>();
  private readonly probation = new Map<K, V>();
  private readonly protected = new Map<K, V>();
  private readonly windowCapacity: number;
  private readonly mainCapacity: number;
  private readonly protectedCapacity: number;
  private readonly sketch: FrequencySketch;

  constructor(capacity: number) {
    checkCapacity('w-tinylfu', capacity);
    this.windowCapacity = Math.max(1, Math.floor(capacity / 100));
    this.mainCapacity = capacity - this.windowCapacity;
    this.protectedCapacity = Math.floor(this.mainCapacity * 0.8);
    this.sketch = new FrequencySketch(capacity);
  }

  get(key: K): V | undefined {
    this.sketch.increment(hashKey(key));
    if (this.window.has(key)) return touch(this.window, key);
    if (this.protected.has(key)) return touch(this.protected, key);
    if (!this.probation.has(key)) return undefined;
    const value = this.probation.get(key) as V;
    this.probation.delete(key);
    this.protected.set(key, value);
    if (this.protected.size > this.protectedCapacity) {
      const [demoted, demotedValue] = first(this.protected);
      this.protected.delete(demoted);
      this.probation.set(demoted, demotedValue);
    }
    return value;
  }

  set(key: K, value: V): void {
    for (const segment of [this.window, this.probation, this.protected]) {
      if (segment.has(key)) {
        segment.set(key, value);
        return;
      }
    }
    this.window.set(key, value);
    if (this.window.size <= this.windowCapacity) return;
    const [candidate, candidateValue] = first(this.window);
    this.window.delete(candidate);
    if (this.mainCapacity === 0) return;
    if (this.probation.size + this.protected.size < this.mainCapacity) {
      this.probation.set(candidate, candidateValue);
      return;
    }
    const victims = this.probation.size > 0 ? this.probation : this.protected;
    const [victim] = first(victims);
    if (this.sketch.estimate(hashKey(candidate)) <= this.sketch.estimate(hashKey(victim))) return;
    victims.delete(victim);
    this.probation.set(candidate, candidateValue);
  }

  delete(key: K): void {
    this.window.delete(key) || this.probation.delete(key) || this.protected.delete(key);
  }

  get size(): number {
    return this.window.size + this.probation.size + this.protected.size;
  }
}

/** Moves `key` to the most recent end of `segment` and returns its value. */
function touch<K, V>(segment: Map<K, V>, key: K): V {
  const value = segment.get(key) as V;
  segment.delete(key);
  segment.set(key, value);
  return value;
}

function first<K, V>(segment: Map<K, V>): [K, V] {
  return segment.entries().next().value as [K, V];
}
