/**
 * Benchmark: stampede protection under a thundering herd, the anchor for
 * memcache's leases (Nishtala et al., NSDI 2013: leases cut the peak
 * database query rate from 17K/s to 1.3K/s, 13× less). Each option of
 * cache-aside runs as three replicas sharing one Redis, 100 herd clients
 * read one hot key (think time 200 ms), a 5 s TTL, a load that costs
 * 400 ms of database time, no faults — through the runner, as a suite case
 * runs. Printed: database loads per expiry of the hot key (from the
 * clients' answers, exact), reads that missed per expiry, and the peak
 * database queries per second at the expiries (pg_stat, each second, after
 * the cold start, which is a stampede under every option), with each
 * option's peak as a fraction of no protection's beside memcache's 1.3K/17K.
 *
 * Run: `npx tsx bench/caching/stampede.ts` (about 4 minutes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSuite } from '../../runner/run-suite.ts';
import { parseSuite } from '../../runner/suite.ts';

const options = ['none', 'single-flight', 'redis-lock', 'lease', 'xfetch'];
const expected: Record<string, string> = { none: '≈ 100', 'single-flight': '≈ 3', 'redis-lock': '1', lease: '1', xfetch: '≈ 0 misses' };
const outDir = mkdtempSync(join(tmpdir(), 'patternbench-bench-stampede-'));
try {
  const suite = parseSuite(
    {
      name: 'stampede',
      workload: { script: 'targets/caching/herd.k6.ts', duration: '30s', timeout: '3s', clients: 100, thinkMs: 200 },
      cases: options.map((stampede) => ({
        target: 'cache-aside',
        name: stampede,
        options: { replicas: 3, ttlSeconds: 5, loadCostMs: 400, stampede, seedItems: 10 },
      })),
    },
    'stampede.yaml',
  );
  const { results } = await runSuite({ suite, suiteFile: 'stampede.yaml', outDir: join(outDir, 'run') });
  interface Figures {
    loadsPerExpiry: {
      expiries: number;
      loadsMean: number | null;
      loadsMax: number | null;
      missesMean: number | null;
      windows: { endSeconds: number }[];
    };
    dbQueriesPerSecond: { series: { second: number; value: number }[] } | null;
    throughputOkPerSecond: number | null;
  }
  const byName = new Map(results.cases.map((c) => [c.name, c.figures as unknown as Figures | undefined]));
  // The peak at the expiries: samples taken from a second after the cold start's loads ended (every option's cold start is a stampede).
  const peakAtExpiries = (f: Figures | undefined): number | undefined => {
    const coldEnd = f?.loadsPerExpiry.windows[0]?.endSeconds;
    const after = f?.dbQueriesPerSecond?.series.filter((p) => coldEnd !== undefined && p.second > coldEnd + 1).map((p) => p.value) ?? [];
    return after.length > 0 ? Math.max(...after) : undefined;
  };
  const peakNone = peakAtExpiries(byName.get('none')) ?? Number.NaN;
  console.log('\nstampede protection: 100 clients on one hot key, 3 replicas, TTL 5 s, a 400 ms load, 30 s, no faults\n');
  console.table(
    options.map((name) => {
      const f = byName.get(name);
      const e = f?.loadsPerExpiry;
      const peak = peakAtExpiries(f);
      return {
        option: name,
        expiries: e?.expiries ?? '—',
        'loads/expiry (mean)': e?.loadsMean ?? '—',
        'loads/expiry (max)': e?.loadsMax ?? '—',
        'misses/expiry (mean)': e?.missesMean ?? '—',
        'the issue expects': expected[name],
        'peak DB queries/s': peak ?? '—',
        'peak vs none': peak === undefined ? '—' : (peak / peakNone).toFixed(3),
        'reads ok/s': f?.throughputOkPerSecond ?? '—',
      };
    }),
  );
  console.log(`memcache's leases (NSDI 2013): peak database queries 17K/s → 1.3K/s, ${(1.3 / 17).toFixed(3)} of no protection`);
  for (const c of results.cases) if (c.status !== 'completed') console.log(`${c.name}: ${c.status} ${c.error ?? ''}`);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
