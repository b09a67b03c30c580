import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../faults/prng.ts';
import {
  chooseOperation,
  fnvhash64,
  insertSchedule,
  keyChooser,
  SCRAMBLED_ZETAN,
  ScrambledZipfianGenerator,
  scrambledZipfianPmf,
  topMass,
  zeta,
  ZipfianGenerator,
  zipfPmf,
} from './ycsb.ts';

/** Counts of each value over `draws` draws. */
function histogram(n: number, draws: number, draw: () => number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (let i = 0; i < draws; i++) counts[draw()]++;
  return counts;
}

describe('YCSB generators', () => {
  it('fnvhash64 matches Java long arithmetic (values from a 64-bit two’s-complement run of the same loop)', () => {
    expect(fnvhash64(0)).toBe(6284781860667377211n);
    expect(fnvhash64(1)).toBe(8517097267634966620n);
    expect(fnvhash64(12345)).toBe(1792800413050876852n);
    expect(fnvhash64(9_999_999_999)).toBe(3605131173811637474n);
  });

  it('zeta continues from a partial sum, and YCSB’s precomputed ζ(10^10) is what the series approaches', () => {
    expect(zeta(1000, 0.99, 500, zeta(500, 0.99))).toBeCloseTo(zeta(1000, 0.99), 10);
    // ζ(n, θ) ≈ (n^(1−θ) − 1)/(1 − θ) + 0.5772 for θ near 1 (Euler–Maclaurin).
    expect(SCRAMBLED_ZETAN).toBeCloseTo((1e10 ** 0.01 - 1) / 0.01 + 0.5772, 0);
  });

  it('zipfian draws follow the zipf law: the first items exactly, the rest within sampling noise', () => {
    const n = 50;
    const draws = 200_000;
    const rand = mulberry32(1);
    const g = new ZipfianGenerator(0, n - 1);
    const counts = histogram(n, draws, () => g.nextLong(rand));
    const pmf = zipfPmf(n);
    // Items 0 and 1 are exact in Gray's method; within 4σ of binomial noise.
    for (const i of [0, 1]) expect(Math.abs(counts[i] / draws - pmf[i])).toBeLessThan(4 * Math.sqrt(pmf[i] / draws));
    // The rest is Gray's continuous approximation, coarse for so few items: the top-10 mass within 3 points.
    expect(Math.abs(topMass(counts, 10) / draws - topMass(pmf, 10))).toBeLessThan(0.03);
    expect(counts.every((c, i) => i === 0 || c <= counts[0])).toBe(true);
  });

  it('scrambled zipfian stays in range and its popularity follows the hashed pmf, flatter than a zipfian over the keys', () => {
    const n = 100;
    const draws = 100_000;
    const rand = mulberry32(2);
    const g = new ScrambledZipfianGenerator(0, n - 1);
    const counts = histogram(n, draws, () => g.next(rand));
    expect(counts.reduce((a, b) => a + b)).toBe(draws);
    const pmf = scrambledZipfianPmf(n);
    expect(pmf.reduce((a, b) => a + b)).toBeCloseTo(1, 9);
    // The hottest key is where rank 0 hashes (fnv(0) % 100 = 11) and draws agree with the pmf.
    expect(counts.indexOf(Math.max(...counts))).toBe(Number(fnvhash64(0) % 100n));
    for (let k = 0; k < n; k++) expect(Math.abs(counts[k] / draws - pmf[k])).toBeLessThan(5 * Math.sqrt(pmf[k] / draws) + 1e-3);
    expect(topMass(pmf, 10)).toBeLessThan(topMass(zipfPmf(n), 10));
  });

  it('latest favours the newest key, and follows the latest as it moves', () => {
    const rand = mulberry32(3);
    const chooser = keyChooser('latest', 1000);
    const early = histogram(1000, 50_000, () => chooser.next(rand, 999));
    expect(early.indexOf(Math.max(...early))).toBe(999);
    const later = histogram(1100, 50_000, () => chooser.next(rand, 1099));
    expect(later.indexOf(Math.max(...later))).toBe(1099);
    expect(later.every((_, k) => k <= 1099)).toBe(true);
  });

  it('uniform covers the range evenly', () => {
    const rand = mulberry32(4);
    const counts = histogram(10, 100_000, () => keyChooser('uniform', 10).next(rand, 9));
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('chooses operations in YCSB’s proportions', () => {
    const rand = mulberry32(5);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) {
      const op = chooseOperation('b', rand());
      counts[op] = (counts[op] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['read', 'update']);
    expect(Math.abs(counts.update / 100_000 - 0.05)).toBeLessThan(0.005);
    expect(chooseOperation('c', 0.999)).toBe('read');
    expect(chooseOperation('f', 0.7)).toBe('readmodifywrite');
    // D's inserts come from the schedule: every other op is a read.
    expect(chooseOperation('d', 0.99)).toBe('read');
  });

  it('spaces inserts evenly at exactly their proportion', () => {
    let inserts = 0;
    for (let i = 0; i < 1000; i++) {
      const s = insertSchedule('d', i);
      expect(s.insertedBefore).toBe(inserts);
      if (s.insert) inserts++;
    }
    expect(inserts).toBe(50);
    expect(insertSchedule('a', 10)).toEqual({ insert: false, insertedBefore: 0 });
  });

  it('top-C mass is the sum of the C largest probabilities', () => {
    expect(topMass([0.1, 0.5, 0.4], 2)).toBeCloseTo(0.9);
    expect(topMass([0.1, 0.5, 0.4], 5)).toBeCloseTo(1);
  });
});
