/**
 * Benchmark and trace-driven mode of the caching family's in-process tier:
 * replays a key trace through every eviction policy at several cache sizes
 * and prints hit ratios beside Che's approximation for LRU, the top-C bound,
 * and the published figures of a Go cache benchmark
 * (scalalang2/go-cache-benchmark, README of December 2023).
 *
 * Default trace: that benchmark's setup — its generator is YCSB's
 * ZipfianGenerator (Gray et al.) over the integers 0 … 500 000, θ = 0.99,
 * one thread, 2.5 M requests (its `workloadMultiplier` was 5 then), caches of
 * 0.1 / 1 / 10 % of 500 000 entries, a miss inserting the key. Our draws come
 * from a seeded PRNG rather than Go's math/rand, so the trace is the same
 * distribution, not the same sequence (2.5 M draws: sampling noise ≈ 0.03
 * points).
 *
 *   npx tsx bench/caching/eviction.ts                      # the Go benchmark's setup
 *   npx tsx bench/caching/eviction.ts --trace keys.txt     # a file of keys, one a line
 *   npx tsx bench/caching/eviction.ts --keys 100000 --requests 1000000 --theta 0.8 --sizes 0.01,0.05 --policies lru,sieve
 *
 * With `--trace`, sizes are fractions of the trace's distinct keys and the
 * bound is the trace's own top-C mass (its C most requested keys); Che's
 * figure needs a popularity law and is printed for generated traces only.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulberry32 } from '../../faults/prng.ts';
import { cheLruHitRatio } from '../../targets/caching/eviction/che.ts';
import { access, createCache, type EvictionPolicyName, evictionPolicies } from '../../targets/caching/eviction/index.ts';
import { topMass, ZipfianGenerator, zipfPmf } from '../../workloads/ycsb.ts';

/** The Go benchmark's published hit ratios (%), 2.5 M requests, one thread; SIEVE's 0.1 % figure is from its 7.5 M-request table (it had no 2.5 M figure). */
const published: Record<string, Partial<Record<EvictionPolicyName, number>>> = {
  '0.001': { lru: 36.6, 'w-tinylfu': 47.36, 's3-fifo': 48.85, sieve: 47.41 },
  '0.01': { lru: 55.36, 'w-tinylfu': 63.77, 's3-fifo': 64.28 },
  '0.1': { lru: 75.52, 'w-tinylfu': 79.05, 's3-fifo': 78.78 },
};

const { values } = parseArgs({
  options: {
    trace: { type: 'string' },
    keys: { type: 'string', default: '500000' },
    requests: { type: 'string', default: '2500000' },
    theta: { type: 'string', default: '0.99' },
    sizes: { type: 'string', default: '0.001,0.01,0.1' },
    seed: { type: 'string', default: '19931203' },
    policies: { type: 'string', default: Object.keys(evictionPolicies).join(',') },
  },
});

const number = (name: string, text: string, check: (n: number) => boolean): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} ${text}: not a valid value`);
  return n;
};
const sizes = values.sizes.split(',').map((s) => number('sizes', s, (n) => n > 0 && n < 1));
const policies = values.policies.split(',') as EvictionPolicyName[];
for (const p of policies)
  if (!Object.hasOwn(evictionPolicies, p)) throw new Error(`--policies: unknown policy "${p}"; known: ${Object.keys(evictionPolicies).join(', ')}`);

let trace: Uint32Array;
let itemCount: number;
let pmf: number[] | undefined;
let described: string;
if (values.trace) {
  const ids = new Map<string, number>();
  const lines = readFileSync(values.trace, 'utf8').split('\n').filter(Boolean);
  trace = Uint32Array.from(lines, (line) => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  });
  itemCount = ids.size;
  described = `${values.trace}: ${trace.length.toLocaleString()} requests over ${itemCount.toLocaleString()} distinct keys`;
} else {
  const keys = number('keys', values.keys, (n) => Number.isInteger(n) && n > 1);
  const requests = number('requests', values.requests, (n) => Number.isInteger(n) && n > 0);
  const theta = number('theta', values.theta, (n) => n > 0 && n !== 1);
  const rand = mulberry32(number('seed', values.seed, Number.isInteger));
  // The Go benchmark's generator spans iMin = 0 … iMax = keys: keys + 1 items.
  const zipf = new ZipfianGenerator(0, keys, theta);
  trace = new Uint32Array(requests);
  for (let i = 0; i < requests; i++) trace[i] = zipf.nextLong(rand);
  itemCount = keys;
  pmf = zipfPmf(keys + 1, theta);
  described = `YCSB zipfian θ=${theta} over 0…${keys}, ${requests.toLocaleString()} requests, one thread, seed ${values.seed}`;
}

const frequency = new Map<number, number>();
for (const key of trace) frequency.set(key, (frequency.get(key) ?? 0) + 1);
const traceTop = (capacity: number) => topMass([...frequency.values()], capacity) / trace.length;

const pct = (x: number | undefined, digits = 1) => (x === undefined ? '—' : (x * 100).toFixed(digits));
console.log(`\neviction policies, ${described}; a miss inserts the key; hit ratio %\n`);
const rows: Record<string, string>[] = [];
const started = performance.now();
for (const fraction of sizes) {
  const capacity = Math.floor(itemCount * fraction);
  const row: Record<string, string> = { size: `${(fraction * 100).toFixed(1)} % (${capacity.toLocaleString()})` };
  for (const policy of policies) {
    const cache = createCache<number, true>(policy, capacity);
    let hits = 0;
    for (const key of trace) if (access(cache, key)) hits++;
    const ours = hits / trace.length;
    const theirs = published[String(fraction)]?.[policy];
    row[policy] = theirs === undefined || values.trace ? pct(ours) : `${pct(ours)} (${theirs.toFixed(1)})`;
  }
  if (pmf) row['LRU, Che'] = pct(cheLruHitRatio(pmf, capacity), 2);
  if (pmf) row['top-C bound'] = pct(topMass(pmf, capacity), 2);
  row['trace top-C'] = pct(traceTop(capacity), 2);
  rows.push(row);
}
console.table(rows);
console.log(
  `(published figures in parentheses: the Go benchmark's, same setup)\n` +
    `top-C bound: the mass of the C most popular keys under the zipf law; trace top-C: the share of requests to the trace's own C most requested keys\n` +
    `replayed ${sizes.length * policies.length} times in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
