import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../faults/prng.ts';
import { zipfPmf } from '../../../workloads/ycsb.ts';
import { cheLruHitRatio } from './che.ts';
import { access, createCache } from './index.ts';

describe("Che's approximation", () => {
  it('gives C/N for uniform popularity', () => {
    expect(cheLruHitRatio(new Array(1000).fill(1 / 1000), 100)).toBeCloseTo(0.1, 6);
  });

  it('is within a point of a simulated LRU under zipf requests', () => {
    // Drawn exactly from the pmf (inverse CDF), not through Gray's approximation, so only Che's own error remains.
    const n = 2000;
    const pmf = zipfPmf(n);
    const cdf: number[] = [];
    pmf.reduce((sum, p, i) => (cdf[i] = sum + p), 0);
    const rand = mulberry32(7);
    const draw = () => {
      const u = rand();
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      return lo;
    };
    const cache = createCache<number, true>('lru', 100);
    for (let i = 0; i < 20_000; i++) access(cache, draw()); // warm
    let hits = 0;
    const requests = 200_000;
    for (let i = 0; i < requests; i++) if (access(cache, draw())) hits++;
    expect(Math.abs(hits / requests - cheLruHitRatio(pmf, 100))).toBeLessThan(0.01);
  });

  it('refuses a capacity it cannot place', () => {
    expect(() => cheLruHitRatio([0.5, 0.5], 2)).toThrow(/between 1 and 1/);
  });
});
