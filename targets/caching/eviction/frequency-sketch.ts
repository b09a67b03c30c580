/**
 * TinyLFU's frequency estimate (Einziger, Friedman and Manes, ACM TOS 2017):
 * a count-min sketch of 4-bit counters, 4 rows of 4 counters per cached
 * entry (16 an entry, the paper's sizing; rows a power of two wide), behind
 * a doorkeeper — a Bloom filter that absorbs each
 * key's first access, so the many keys seen once never reach the counters.
 * After `sampleSize` accesses every counter is halved and the doorkeeper
 * cleared (the paper's reset), so old popularity fades.
 */
export class FrequencySketch {
  private readonly rows: Uint8Array[];
  private readonly mask: number;
  private readonly door: Uint32Array;
  private readonly doorMask: number;
  private readonly sampleSize: number;
  private accesses = 0;

  /** Sized for a cache of `capacity` entries; the reset comes every `sampleFactor` × capacity accesses (the paper's W = 10 C). */
  constructor(capacity: number, sampleFactor = 10) {
    const width = nextPowerOfTwo(Math.max(16, 4 * capacity));
    this.mask = width - 1;
    this.rows = Array.from({ length: 4 }, () => new Uint8Array(width));
    this.sampleSize = Math.max(16, sampleFactor * capacity);
    // ~10 bits per sampled key: a 1 % false-positive rate with 7 probes.
    const doorBits = nextPowerOfTwo(this.sampleSize * 10);
    this.door = new Uint32Array(doorBits / 32);
    this.doorMask = doorBits - 1;
  }

  /** Counts one access of the key with hash `hash` (a 32-bit integer). */
  increment(hash: number): void {
    if (++this.accesses >= this.sampleSize) this.reset();
    if (!this.doorAdd(hash)) return; // its first access since the last reset
    const h2 = spread(hash);
    for (let i = 0; i < 4; i++) {
      const row = this.rows[i];
      const at = (hash + i * h2) & this.mask;
      if (row[at] < 15) row[at]++;
    }
  }

  /** Estimated accesses of the key with hash `hash` since the last reset (never below the truth, up to 16). */
  estimate(hash: number): number {
    const h2 = spread(hash);
    let min = 15;
    for (let i = 0; i < 4; i++) min = Math.min(min, this.rows[i][(hash + i * h2) & this.mask]);
    return min + (this.doorHas(hash) ? 1 : 0);
  }

  private reset(): void {
    this.accesses = 0;
    for (const row of this.rows) for (let i = 0; i < row.length; i++) row[i] >>= 1;
    this.door.fill(0);
  }

  /** Adds the key to the doorkeeper; whether it was already there. */
  private doorAdd(hash: number): boolean {
    let present = true;
    const h2 = spread(hash ^ 0x9e3779b9);
    for (let i = 0; i < 7; i++) {
      const bit = (hash + i * h2) & this.doorMask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      if ((this.door[word] & flag) === 0) {
        present = false;
        this.door[word] |= flag;
      }
    }
    return present;
  }

  private doorHas(hash: number): boolean {
    const h2 = spread(hash ^ 0x9e3779b9);
    for (let i = 0; i < 7; i++) {
      const bit = (hash + i * h2) & this.doorMask;
      if ((this.door[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** A 32-bit hash of a key: integers through murmur3's finaliser, anything else through FNV-1a of its string form, then the same finaliser. */
export function hashKey(key: unknown): number {
  if (typeof key === 'number' && Number.isInteger(key)) return fmix32(key | 0);
  const text = String(key);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** A second, odd hash for double hashing (Kirsch and Mitzenmacher): the probes `h + i·h2` then cover the table. */
function spread(hash: number): number {
  return fmix32(hash + 0x7f4a7c15) | 1;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
