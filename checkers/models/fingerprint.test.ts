import { describe, expect, it } from 'vitest';
import { concatFingerprint, fingerprint, residues } from './fingerprint.ts';

/** The fingerprint as its definition states it: Horner's rule modulo each prime, with `%`. */
function reference(s: string): number {
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    h1 = (h1 * 131 + s.charCodeAt(i)) % 67108859;
    h2 = (h2 * 131 + s.charCodeAt(i)) % 67108837;
  }
  return h1 * 2 ** 26 + h2;
}

/** A string of `n` random UTF-16 code units, from a seeded generator. */
function text(n: number, next: () => number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(next() * 65536));
  return s;
}

describe('fingerprint', () => {
  // mulberry32: the same strings every run.
  let seed = 9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };

  it('is the definition, and composes under concatenation, for short and long suffixes alike', () => {
    for (let i = 0; i < 2000; i++) {
      const a = text(Math.floor(next() * 40), next);
      // Past 256 code units the power of the base is computed, not looked up.
      const b = text(i % 10 === 0 ? 200 + Math.floor(next() * 400) : Math.floor(next() * 20), next);
      expect(fingerprint(a + b)).toBe(reference(a + b));
      expect(concatFingerprint(fingerprint(a), fingerprint(b), b.length)).toBe(fingerprint(a + b));
    }
  });

  it('keeps both residues in range', () => {
    for (let i = 0; i < 1000; i++) {
      const [r1, r2] = residues(fingerprint(text(1 + Math.floor(next() * 50), next)));
      expect(r1).toBeGreaterThanOrEqual(0);
      expect(r1).toBeLessThan(67108859);
      expect(r2).toBeGreaterThanOrEqual(0);
      expect(r2).toBeLessThan(67108837);
    }
  });
});
