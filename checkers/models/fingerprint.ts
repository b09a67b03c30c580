/**
 * Polynomial fingerprints of strings that compose under concatenation:
 * `concatFingerprint(fingerprint(a), fingerprint(b), b.length)` equals
 * `fingerprint(a + b)`. So a state grown by appends carries its fingerprint
 * forward in time proportional to the suffix, never reading the whole
 * string (which V8 then keeps as a rope, unflattened). Two residues modulo
 * 26-bit primes, packed into one safe integer: products stay below 2^53, so
 * plain double arithmetic is exact. Equal strings have equal fingerprints;
 * unequal ones rarely do, and whoever compares fingerprints settles a tie
 * by comparing the strings.
 */

const P1 = 67108859;
const P2 = 67108837;
const BASE = 131;
const SPLIT = 2 ** 26;

/** The fingerprint of `s`. Pure. */
export function fingerprint(s: string): number {
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = (h1 * BASE + c) % P1;
    h2 = (h2 * BASE + c) % P2;
  }
  return h1 * SPLIT + h2;
}

/** The fingerprint of `a + b` from `a`'s and `b`'s and `b`'s length. Pure. */
export function concatFingerprint(a: number, b: number, bLength: number): number {
  const h1 = (mulMod(Math.floor(a / SPLIT), powMod(BASE, bLength, P1), P1) + Math.floor(b / SPLIT)) % P1;
  const h2 = (mulMod(a % SPLIT, powMod(BASE, bLength, P2), P2) + (b % SPLIT)) % P2;
  return h1 * SPLIT + h2;
}

function mulMod(a: number, b: number, p: number): number {
  return (a * b) % p;
}

function powMod(base: number, exponent: number, p: number): number {
  let result = 1;
  let b = base % p;
  for (let e = exponent; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = mulMod(result, b, p);
    b = mulMod(b, b, p);
  }
  return result;
}

/** A fingerprint's two residues. Pure. */
export function residues(fp: number): [number, number] {
  return [Math.floor(fp / SPLIT), fp % SPLIT];
}

/**
 * Writes the residues of the fingerprints of every prefix of `s`, the empty
 * one first, into `into` from `at`, two a prefix; returns where it stopped.
 */
export function writePrefixFingerprints(s: string, into: Int32Array, at: number): number {
  let h1 = 0;
  let h2 = 0;
  let i = at;
  into[i++] = 0;
  into[i++] = 0;
  for (let c = 0; c < s.length; c++) {
    const code = s.charCodeAt(c);
    h1 = (h1 * BASE + code) % P1;
    h2 = (h2 * BASE + code) % P2;
    into[i++] = h1;
    into[i++] = h2;
  }
  return i;
}
