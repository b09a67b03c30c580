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

/**
 * `x mod p` for a non-negative integer `x` below 2^53 and a prime `p`
 * below 2^26, exactly: `x - q * p` with `q` the floored quotient, set
 * right when the division rounded it one off. Several times faster than
 * `%`, which on numbers past 2^31 is a floating-point remainder (a call
 * into C in V8): these are the model's inner loops, run on every read's
 * text in every check.
 */
function mod(x: number, p: number): number {
  const r = x - Math.floor(x / p) * p;
  return r < 0 ? r + p : r >= p ? r - p : r;
}

/** The fingerprint of `s`. Pure. */
export function fingerprint(s: string): number {
  let h1 = 0;
  let h2 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = mod(h1 * BASE + c, P1);
    h2 = mod(h2 * BASE + c, P2);
  }
  return h1 * SPLIT + h2;
}

/** The fingerprint of `a + b` from `a`'s and `b`'s and `b`'s length. Pure. */
export function concatFingerprint(a: number, b: number, bLength: number): number {
  const h1 = mod(mod(Math.floor(a / SPLIT) * powMod(bLength, P1), P1) + Math.floor(b / SPLIT), P1);
  const h2 = mod(mod((a % SPLIT) * powMod(bLength, P2), P2) + (b % SPLIT), P2);
  return h1 * SPLIT + h2;
}

/** BASE to the powers 0…POWERS-1 modulo P1 and P2: an append's suffix is short. */
const POWERS = 256;
const powers1 = new Float64Array(POWERS);
const powers2 = new Float64Array(POWERS);
powers1[0] = powers2[0] = 1;
for (let e = 1; e < POWERS; e++) {
  powers1[e] = mod(powers1[e - 1] * BASE, P1);
  powers2[e] = mod(powers2[e - 1] * BASE, P2);
}

/** BASE to the power `exponent` modulo `p` (P1 or P2). */
function powMod(exponent: number, p: number): number {
  if (exponent < POWERS) return p === P1 ? powers1[exponent] : powers2[exponent];
  let result = 1;
  let b = BASE;
  for (let e = exponent; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = mod(result * b, p);
    b = mod(b * b, p);
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
    h1 = mod(h1 * BASE + code, P1);
    h2 = mod(h2 * BASE + code, P2);
    into[i++] = h1;
    into[i++] = h2;
  }
  return i;
}
