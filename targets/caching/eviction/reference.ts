/**
 * Test support: each policy written the slow, obvious way — arrays scanned
 * end to end, following the policy's paper step by step — so the fast
 * implementations can be checked against them access by access. Index 0 of
 * every array is the oldest (least recent) end.
 */
import { FrequencySketch, hashKey } from './frequency-sketch.ts';
import type { EvictingCache } from './policy.ts';

type Key = number;

export class ReferenceFifo implements EvictingCache<Key, true> {
  keys: Key[] = [];
  constructor(private readonly capacity: number) {}
  get(key: Key) {
    return this.keys.includes(key) ? (true as const) : undefined;
  }
  set(key: Key) {
    if (this.keys.includes(key)) return;
    if (this.keys.length >= this.capacity) this.keys.shift();
    this.keys.push(key);
  }
  delete(key: Key) {
    this.keys = this.keys.filter((k) => k !== key);
  }
  get size() {
    return this.keys.length;
  }
}

export class ReferenceLru implements EvictingCache<Key, true> {
  keys: Key[] = [];
  constructor(private readonly capacity: number) {}
  get(key: Key) {
    if (!this.keys.includes(key)) return undefined;
    this.keys = [...this.keys.filter((k) => k !== key), key];
    return true as const;
  }
  set(key: Key) {
    if (this.keys.includes(key)) {
      this.get(key);
      return;
    }
    if (this.keys.length >= this.capacity) this.keys.shift();
    this.keys.push(key);
  }
  delete(key: Key) {
    this.keys = this.keys.filter((k) => k !== key);
  }
  get size() {
    return this.keys.length;
  }
}

export class ReferenceLfu implements EvictingCache<Key, true> {
  entries: { key: Key; count: number; lastTouch: number }[] = [];
  private clock = 0;
  constructor(private readonly capacity: number) {}
  get(key: Key) {
    const e = this.entries.find((x) => x.key === key);
    if (!e) return undefined;
    e.count++;
    e.lastTouch = ++this.clock;
    return true as const;
  }
  set(key: Key) {
    if (this.entries.some((x) => x.key === key)) return;
    if (this.entries.length >= this.capacity) {
      // The fewest hits; among those, the one that reached its count longest ago.
      const victim = [...this.entries].sort((a, b) => a.count - b.count || a.lastTouch - b.lastTouch)[0];
      this.delete(victim.key);
    }
    this.entries.push({ key, count: 1, lastTouch: ++this.clock });
  }
  delete(key: Key) {
    this.entries = this.entries.filter((x) => x.key !== key);
  }
  get size() {
    return this.entries.length;
  }
}

/** SIEVE as the paper's Figure 3: new keys at the head, the hand moving from the tail toward the head, wrapping. */
export class ReferenceSieve implements EvictingCache<Key, true> {
  entries: { key: Key; visited: boolean }[] = [];
  /** Index of the entry the hand points at, or -1 (null: start at the tail). */
  hand = -1;
  constructor(private readonly capacity: number) {}
  get(key: Key) {
    const e = this.entries.find((x) => x.key === key);
    if (!e) return undefined;
    e.visited = true;
    return true as const;
  }
  set(key: Key) {
    if (this.entries.some((x) => x.key === key)) return;
    if (this.entries.length >= this.capacity) this.evict();
    this.entries.push({ key, visited: false });
  }
  private evict() {
    let i = this.hand === -1 ? 0 : this.hand;
    while (this.entries[i].visited) {
      this.entries[i].visited = false;
      i = i + 1 < this.entries.length ? i + 1 : 0;
    }
    this.entries.splice(i, 1);
    // The hand stays on the entry after the evicted one (toward the head), or null past the head.
    this.hand = i < this.entries.length ? i : -1;
  }
  delete(key: Key) {
    const i = this.entries.findIndex((x) => x.key === key);
    if (i < 0) return;
    this.entries.splice(i, 1);
    if (this.hand === i) this.hand = i < this.entries.length ? i : -1;
    else if (this.hand > i) this.hand--;
  }
  get size() {
    return this.entries.length;
  }
}

/** S3-FIFO as the paper's Algorithm 1. */
export class ReferenceS3Fifo implements EvictingCache<Key, true> {
  small: { key: Key; freq: number }[] = [];
  main: { key: Key; freq: number }[] = [];
  ghost: Key[] = [];
  private readonly smallCapacity: number;
  private readonly mainCapacity: number;
  constructor(private readonly capacity: number) {
    this.smallCapacity = Math.max(1, Math.floor(capacity / 10));
    this.mainCapacity = capacity - this.smallCapacity;
  }
  private find(key: Key) {
    return this.small.find((x) => x.key === key) ?? this.main.find((x) => x.key === key);
  }
  get(key: Key) {
    const e = this.find(key);
    if (!e) return undefined;
    e.freq = Math.min(e.freq + 1, 3);
    return true as const;
  }
  set(key: Key) {
    if (this.find(key)) return;
    while (this.small.length + this.main.length >= this.capacity) {
      if (this.small.length >= this.smallCapacity) this.evictSmall();
      else this.evictMain();
    }
    if (this.ghost.includes(key)) {
      this.ghost = this.ghost.filter((k) => k !== key);
      this.main.push({ key, freq: 0 });
    } else this.small.push({ key, freq: 0 });
  }
  private evictSmall() {
    while (this.small.length > 0) {
      const t = this.small.shift()!;
      if (t.freq > 1) {
        this.main.push(t);
        if (this.main.length > this.mainCapacity) this.evictMain();
      } else {
        this.ghost.push(t.key);
        if (this.ghost.length > this.mainCapacity) this.ghost.shift();
        return;
      }
    }
  }
  private evictMain() {
    while (this.main.length > 0) {
      const t = this.main.shift()!;
      if (t.freq > 0) {
        t.freq--;
        this.main.push(t);
      } else return;
    }
  }
  delete(key: Key) {
    this.small = this.small.filter((x) => x.key !== key);
    this.main = this.main.filter((x) => x.key !== key);
  }
  get size() {
    return this.small.length + this.main.length;
  }
}

/** W-TinyLFU: window LRU 1 %, probation 20 % and protected 80 % of the rest, admission by the same sketch. */
export class ReferenceWTinyLfu implements EvictingCache<Key, true> {
  window: Key[] = [];
  probation: Key[] = [];
  protected: Key[] = [];
  private readonly windowCapacity: number;
  private readonly mainCapacity: number;
  private readonly protectedCapacity: number;
  private readonly sketch: FrequencySketch;
  constructor(capacity: number) {
    this.windowCapacity = Math.max(1, Math.floor(capacity / 100));
    this.mainCapacity = capacity - this.windowCapacity;
    this.protectedCapacity = Math.floor(this.mainCapacity * 0.8);
    this.sketch = new FrequencySketch(capacity);
  }
  get(key: Key) {
    this.sketch.increment(hashKey(key));
    const without = (xs: Key[]) => xs.filter((k) => k !== key);
    if (this.window.includes(key)) this.window = [...without(this.window), key];
    else if (this.protected.includes(key)) this.protected = [...without(this.protected), key];
    else if (this.probation.includes(key)) {
      this.probation = without(this.probation);
      this.protected.push(key);
      if (this.protected.length > this.protectedCapacity) this.probation.push(this.protected.shift()!);
    } else return undefined;
    return true as const;
  }
  set(key: Key) {
    if ([this.window, this.probation, this.protected].some((xs) => xs.includes(key))) return;
    this.window.push(key);
    if (this.window.length <= this.windowCapacity) return;
    const candidate = this.window.shift()!;
    if (this.mainCapacity === 0) return;
    if (this.probation.length + this.protected.length < this.mainCapacity) {
      this.probation.push(candidate);
      return;
    }
    const victims = this.probation.length > 0 ? this.probation : this.protected;
    if (this.sketch.estimate(hashKey(candidate)) <= this.sketch.estimate(hashKey(victims[0]))) return;
    victims.shift();
    this.probation.push(candidate);
  }
  delete(key: Key) {
    for (const xs of [this.window, this.probation, this.protected]) {
      const i = xs.indexOf(key);
      if (i >= 0) xs.splice(i, 1);
    }
  }
  get size() {
    return this.window.length + this.probation.length + this.protected.length;
  }
}
