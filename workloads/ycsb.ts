/**
 * YCSB's key and operation generators (Cooper et al., SoCC 2010), as its
 * core workload defines them, in plain TypeScript so that k6 scripts and Node
 * (benches, figures) share one definition. Pure apart from the `Random`
 * passed in: k6 passes `Math.random`, tests and benches a seeded one.
 *
 * - `ZipfianGenerator`: Gray et al.'s method ("Quickly Generating
 *   Billion-Record Synthetic Databases", SIGMOD 1994), item 0 the most
 *   popular, with YCSB's constant 0.99.
 * - `ScrambledZipfianGenerator`: what YCSB's `requestdistribution=zipfian`
 *   uses: a zipfian over 10^10 items (zeta precomputed) whose draw is hashed
 *   (FNV-1a 64) onto the key space, so popular keys are spread out and the
 *   popularity is flatter than a zipfian over the key space itself.
 * - `UniformGenerator`, and `SkewedLatestGenerator` (`latest`): a zipfian
 *   over recency, the newest key the most popular.
 *
 * Key names are `k<keynum>`; YCSB hashes keynums into its key names
 * (`insertorder=hashed`), which changes the names, not who is popular.
 */

/** A source of uniform floats in [0, 1). */
export type Random = () => number;

/** YCSB's zipfian constant. */
export const ZIPFIAN_CONSTANT = 0.99;

/** YCSB's ScrambledZipfianGenerator: the zipfian it hashes is over this many items… */
export const SCRAMBLED_ITEM_COUNT = 10_000_000_000;
/** …whose zeta(10^10, 0.99), precomputed by YCSB (summing it takes minutes). */
export const SCRAMBLED_ZETAN = 26.46902820178302;

/** ζ(n, θ) = Σ_{i=1..n} 1/i^θ, continued from ζ(from, θ) = `initial`. Pure; O(n − from). */
export function zeta(n: number, theta: number, from = 0, initial = 0): number {
  let sum = initial;
  for (let i = from; i < n; i++) sum += 1 / (i + 1) ** theta;
  return sum;
}

/**
 * YCSB's ZipfianGenerator over the integers [min, max]: P(min + i) falls
 * off like 1/(i+1)^θ. `zetan` may be given when known (it costs O(n) to
 * compute). Like YCSB, `nextLong(itemCount)` may be called with a larger
 * count than the generator was built for (zeta is extended incrementally, and
 * eta keeps YCSB's use of the original item count).
 */
export class ZipfianGenerator {
  readonly items: number;
  private readonly base: number;
  private readonly theta: number;
  private readonly alpha: number;
  private readonly zeta2theta: number;
  private readonly halfPowTheta: number;
  private zetan: number;
  private eta: number;
  private countForZeta: number;

  constructor(min: number, max: number, theta = ZIPFIAN_CONSTANT, zetan?: number) {
    if (!(max >= min)) throw new Error(`zipfian: max ${max} is below min ${min}`);
    if (!(theta > 0) || theta === 1) throw new Error(`zipfian: θ must be > 0 and ≠ 1, got ${theta}`);
    this.items = max - min + 1;
    this.base = min;
    this.theta = theta;
    this.zeta2theta = zeta(2, theta);
    this.alpha = 1 / (1 - theta);
    this.halfPowTheta = 1 + 0.5 ** theta;
    this.zetan = zetan ?? zeta(this.items, theta);
    this.countForZeta = this.items;
    this.eta = this.etaFor(this.zetan);
  }

  /** A draw from the first `itemCount` items (default: all of them). */
  nextLong(rand: Random, itemCount = this.items): number {
    if (itemCount > this.countForZeta) {
      this.zetan = zeta(itemCount, this.theta, this.countForZeta, this.zetan);
      this.countForZeta = itemCount;
      this.eta = this.etaFor(this.zetan);
    }
    const u = rand();
    const uz = u * this.zetan;
    if (uz < 1) return this.base;
    if (uz < this.halfPowTheta) return this.base + 1;
    return this.base + Math.floor(itemCount * (this.eta * u - this.eta + 1) ** this.alpha);
  }

  private etaFor(zetan: number): number {
    return (1 - (2 / this.items) ** (1 - this.theta)) / (1 - this.zeta2theta / zetan);
  }
}

const FNV_OFFSET_BASIS_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 1099511628211n;

/** YCSB's `Utils.fnvhash64`: FNV-1a over the 8 low-order bytes of `value`, as Java's signed long, made non-negative by `Math.abs`. */
export function fnvhash64(value: number): bigint {
  let val = BigInt(value);
  let hash = FNV_OFFSET_BASIS_64;
  for (let i = 0; i < 8; i++) {
    hash = BigInt.asIntN(64, (hash ^ (val & 0xffn)) * FNV_PRIME_64);
    val >>= 8n;
  }
  // Java's Math.abs(Long.MIN_VALUE) is Long.MIN_VALUE: asIntN keeps that overflow.
  return BigInt.asIntN(64, hash < 0n ? -hash : hash);
}

/** YCSB's ScrambledZipfianGenerator over [min, max] with the constant 0.99: a zipfian over 10^10 items, hashed onto the range. */
export class ScrambledZipfianGenerator {
  private readonly zipfian = new ZipfianGenerator(0, SCRAMBLED_ITEM_COUNT, ZIPFIAN_CONSTANT, SCRAMBLED_ZETAN);
  private readonly itemCount: bigint;

  constructor(
    private readonly min: number,
    max: number,
  ) {
    if (!(max >= min)) throw new Error(`scrambled zipfian: max ${max} is below min ${min}`);
    this.itemCount = BigInt(max - min + 1);
  }

  next(rand: Random): number {
    return this.min + Number(fnvhash64(this.zipfian.nextLong(rand)) % this.itemCount);
  }
}

/** Uniform over the integers [min, max]. */
export class UniformGenerator {
  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {}

  next(rand: Random): number {
    return this.min + Math.floor(rand() * (this.max - this.min + 1));
  }
}

/**
 * YCSB's SkewedLatestGenerator: `latest − zipfian(latest)`, the newest key
 * the most popular. `latest` is the newest keynum inserted so far (the last
 * value of YCSB's acknowledged insert counter); the zipfian is built over
 * the keys that existed at the start and extended as `latest` grows.
 */
export class SkewedLatestGenerator {
  private readonly zipfian: ZipfianGenerator;

  constructor(initialLatest: number) {
    this.zipfian = new ZipfianGenerator(0, Math.max(1, initialLatest) - 1);
  }

  next(rand: Random, latest: number): number {
    return latest - this.zipfian.nextLong(rand, latest);
  }
}

/** YCSB's `requestdistribution` values this package implements. */
export type RequestDistribution = 'zipfian' | 'uniform' | 'latest';

/** A key-number chooser over the `recordCount` loaded keys (and, for `latest`, the keys inserted since). */
export interface KeyChooser {
  /** `latest`: the newest keynum that exists now (recordCount − 1 before any insert). */
  next(rand: Random, latest: number): number;
}

/** YCSB's key chooser for `distribution` over keys 0 … recordCount − 1, as its CoreWorkload builds it (without insert headroom). */
export function keyChooser(distribution: RequestDistribution, recordCount: number): KeyChooser {
  switch (distribution) {
    case 'zipfian': {
      const g = new ScrambledZipfianGenerator(0, recordCount - 1);
      return { next: (rand) => g.next(rand) };
    }
    case 'uniform': {
      const g = new UniformGenerator(0, recordCount - 1);
      return { next: (rand) => g.next(rand) };
    }
    case 'latest': {
      const g = new SkewedLatestGenerator(recordCount - 1);
      return { next: (rand, latest) => g.next(rand, latest) };
    }
  }
}

/** The operations of YCSB's core workloads. */
export type YcsbOperation = 'read' | 'update' | 'insert' | 'readmodifywrite';

/** YCSB's core workloads' operation proportions and default request distribution (workloads/workloada … workloadf). */
export const ycsbMixes = {
  a: { proportions: { read: 0.5, update: 0.5 }, distribution: 'zipfian' },
  b: { proportions: { read: 0.95, update: 0.05 }, distribution: 'zipfian' },
  c: { proportions: { read: 1 }, distribution: 'zipfian' },
  d: { proportions: { read: 0.95, insert: 0.05 }, distribution: 'latest' },
  f: { proportions: { read: 0.5, readmodifywrite: 0.5 }, distribution: 'zipfian' },
} as const satisfies Record<string, { proportions: Partial<Record<YcsbOperation, number>>; distribution: RequestDistribution }>;

export type YcsbMix = keyof typeof ycsbMixes;

/**
 * The operation of one request of `mix`, for a uniform draw `u` in [0, 1)
 * (YCSB's DiscreteGenerator: the proportions laid end to end). Inserts are
 * not drawn: see {@link isInsert}.
 */
export function chooseOperation(mix: YcsbMix, u: number): Exclude<YcsbOperation, 'insert'> {
  const proportions: Partial<Record<YcsbOperation, number>> = ycsbMixes[mix].proportions;
  const drawn = (Object.entries(proportions) as [YcsbOperation, number][]).filter(([op]) => op !== 'insert');
  const total = drawn.reduce((sum, [, p]) => sum + p, 0);
  let at = u * total;
  for (const [op, p] of drawn) {
    if (at < p) return op as Exclude<YcsbOperation, 'insert'>;
    at -= p;
  }
  return drawn[drawn.length - 1][0] as Exclude<YcsbOperation, 'insert'>;
}

/**
 * Whether global iteration `i` (0-based) of `mix` is an insert, and how many
 * inserts came before it. k6's VUs share no memory, so YCSB's one insert
 * counter cannot be shared; instead inserts are spaced evenly through the
 * run (iteration i inserts when ⌊(i+1)·p⌋ > ⌊i·p⌋), which keeps the
 * proportion exact and lets every VU know, from the iteration number alone,
 * which keys exist: recordCount + ⌊i·p⌋ of them before iteration i.
 */
export function insertSchedule(mix: YcsbMix, i: number): { insert: boolean; insertedBefore: number } {
  const p: number = (ycsbMixes[mix].proportions as Partial<Record<YcsbOperation, number>>).insert ?? 0;
  const insertedBefore = Math.floor(i * p);
  return { insert: Math.floor((i + 1) * p) > insertedBefore, insertedBefore };
}

/**
 * The top-C bound: the most any cache of `capacity` items can hit, on
 * average, under independent requests with popularity `pmf` — the mass of
 * the C most popular items (keeping those is optimal; Aho, Denning and
 * Ullman's A0). Pure; does not modify `pmf`.
 */
export function topMass(pmf: readonly number[], capacity: number): number {
  const sorted = [...pmf].sort((a, b) => b - a);
  let sum = 0;
  for (let i = 0; i < Math.min(capacity, sorted.length); i++) sum += sorted[i];
  return sum;
}

/** The exact zipf pmf over n items: p(i) = (1/(i+1)^θ) / ζ(n, θ), item 0 the most popular. */
export function zipfPmf(n: number, theta = ZIPFIAN_CONSTANT): number[] {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** theta);
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / total);
}

/**
 * The popularity of each of `n` keys under YCSB's scrambled zipfian: the
 * first `headRanks` ranks of the 10^10-item zipfian hashed exactly onto their
 * keys, the rest of the mass (ranks beyond, each tiny) spread evenly, which
 * is what hashing that many ranks does. Pure; O(headRanks).
 */
export function scrambledZipfianPmf(n: number, headRanks = Math.max(100_000, 100 * n)): number[] {
  const pmf = new Array<number>(n).fill(0);
  const count = BigInt(n);
  let head = 0;
  for (let r = 0; r < headRanks; r++) {
    const p = 1 / (r + 1) ** ZIPFIAN_CONSTANT / SCRAMBLED_ZETAN;
    pmf[Number(fnvhash64(r) % count)] += p;
    head += p;
  }
  const tail = (1 - head) / n;
  return pmf.map((p) => p + tail);
}
