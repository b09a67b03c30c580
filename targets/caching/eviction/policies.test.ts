import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrequencySketch } from './frequency-sketch.ts';
import { access, createCache, type EvictingCache, type EvictionPolicyName, evictionPolicies } from './index.ts';
import { ReferenceFifo, ReferenceLfu, ReferenceLru, ReferenceS3Fifo, ReferenceSieve, ReferenceWTinyLfu } from './reference.ts';

const references: Record<EvictionPolicyName, new (capacity: number) => EvictingCache<number, true>> = {
  fifo: ReferenceFifo,
  lru: ReferenceLru,
  lfu: ReferenceLfu,
  'w-tinylfu': ReferenceWTinyLfu,
  sieve: ReferenceSieve,
  's3-fifo': ReferenceS3Fifo,
};

/** A trace step: access a key (a hit, or a miss that inserts it), or delete it. */
type Step = { op: 'access' | 'delete'; key: number };

/** What a cache answers along a trace: hit or miss per access, and its size after each step. */
function replay(cache: EvictingCache<number, true>, trace: readonly Step[]): string[] {
  return trace.map((s) => {
    if (s.op === 'delete') {
      cache.delete(s.key);
      return `d${cache.size}`;
    }
    return `${access(cache, s.key) ? 'h' : 'm'}${cache.size}`;
  });
}

const trace = (keys: number, length: number) =>
  fc.array(fc.record({ op: fc.constantFrom<Step['op']>('access', 'access', 'access', 'access', 'delete'), key: fc.nat(keys - 1) }), {
    minLength: Math.floor(length / 2),
    maxLength: length,
  });

describe('eviction policies against their reference simulations', () => {
  for (const policy of Object.keys(evictionPolicies) as EvictionPolicyName[]) {
    it(`${policy}: the same hits, misses and sizes as the reference, access by access`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 12 }), trace(20, 300), (capacity, steps) => {
          expect(replay(createCache(policy, capacity), steps)).toEqual(replay(new references[policy](capacity), steps));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('w-tinylfu and s3-fifo agree with their references with a window and small queue of several entries', () => {
    for (const policy of ['w-tinylfu', 's3-fifo'] as const) {
      fc.assert(
        fc.property(fc.integer({ min: 200, max: 320 }), trace(600, 3000), (capacity, steps) => {
          expect(replay(createCache(policy, capacity), steps)).toEqual(replay(new references[policy](capacity), steps));
        }),
        { numRuns: 8 },
      );
    }
  });

  it('never holds more than its capacity', () => {
    for (const policy of Object.keys(evictionPolicies) as EvictionPolicyName[]) {
      const cache = createCache<number, true>(policy, 50);
      for (let i = 0; i < 5000; i++) {
        access(cache, (i * 7919) % 400);
        expect(cache.size).toBeLessThanOrEqual(50);
      }
    }
  });

  it('scan resistance: after a one-pass scan, LRU and FIFO have lost the hot set, W-TinyLFU and S3-FIFO keep most of it', () => {
    const hot = Array.from({ length: 50 }, (_, i) => i);
    const survivors = (policy: EvictionPolicyName) => {
      const cache = createCache<number, true>(policy, 100);
      for (let round = 0; round < 20; round++) for (const k of hot) access(cache, k);
      for (let k = 1000; k < 2000; k++) access(cache, k);
      return hot.filter((k) => cache.get(k) !== undefined).length;
    };
    expect(survivors('lru')).toBe(0);
    expect(survivors('fifo')).toBe(0);
    expect(survivors('w-tinylfu')).toBeGreaterThanOrEqual(40);
    expect(survivors('s3-fifo')).toBeGreaterThanOrEqual(40);
  });

  it('refuses a capacity that is not a whole number ≥ 1, naming the policy', () => {
    expect(() => createCache('lru', 0)).toThrow(/lru: capacity must be a whole number ≥ 1, got 0/);
    expect(() => createCache('s3-fifo', 1.5)).toThrow(/s3-fifo/);
  });
});

describe('frequency sketch', () => {
  it('never estimates below the true count (up to its 4-bit ceiling) and halves at the reset', () => {
    const sketch = new FrequencySketch(100, 10); // reset every 1000 accesses
    const truth = new Map<number, number>();
    for (let i = 0; i < 900; i++) {
      const key = (i * i) % 97;
      sketch.increment(key);
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }
    for (const [key, count] of truth) expect(sketch.estimate(key)).toBeGreaterThanOrEqual(Math.min(count, 16));
    for (let i = 0; i < 100; i++) sketch.increment(1_000_000 + i); // reaches the 1000-access reset
    const after = [...truth.keys()].map((k) => sketch.estimate(k));
    expect(Math.max(...after)).toBeLessThanOrEqual(8);
  });
});
