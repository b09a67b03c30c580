import { scrambledZipfianPmf } from '../../workloads/ycsb.ts';

/**
 * The ids of the `count` most popular of `items` seeded items under YCSB's
 * (scrambled) zipfian, most popular first: what a warmer fed from access
 * logs would preload. Pure.
 */
export function hottestKeys(items: number, count: number): string[] {
  const pmf = scrambledZipfianPmf(items);
  return pmf
    .map((p, keynum) => ({ p, keynum }))
    .sort((a, b) => b.p - a.p || a.keynum - b.keynum)
    .slice(0, count)
    .map(({ keynum }) => `k${keynum}`);
}
