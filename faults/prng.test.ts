import { describe, expect, it } from 'vitest';
import { mulberry32 } from './prng.ts';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('mulberry32', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    expect(take(mulberry32(42), 20)).toEqual(take(mulberry32(42), 20));
    expect(take(mulberry32(42), 20)).not.toEqual(take(mulberry32(43), 20));
  });

  it('stays within [0, 1) and spreads over it', () => {
    const xs = take(mulberry32(7), 10_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});
