import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../runner/progress.ts';
import { runSuite } from '../../runner/run-suite.ts';
import { parseSuite } from '../../runner/suite.ts';

interface LoadsPerExpiry {
  expiries: number;
  loadsMean: number | null;
  loadsMax: number | null;
  missesMean: number | null;
  coldStart: { loads: number; misses: number } | null;
}

/**
 * The stampede anchors, through the runner as a user runs them: 100 herd
 * clients on one hot key over three replicas sharing one Redis, a 4 s TTL
 * and a load that costs 400 ms of database time, no faults; each option's
 * database loads per expiry from results.json.
 */
describe('stampede protection: database loads per expiry of a hot key, 100 clients, three replicas', () => {
  let outDir: string;
  const figures = new Map<string, LoadsPerExpiry>();
  const options = ['none', 'single-flight', 'redis-lock', 'lease', 'xfetch'];

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'patternbench-stampede-'));
    const suite = parseSuite(
      {
        name: 'stampede',
        workload: { script: 'targets/caching/herd.k6.ts', duration: '12s', timeout: '3s', clients: 100, thinkMs: 200 },
        cases: options.map((stampede) => ({
          target: 'cache-aside',
          name: stampede,
          options: { replicas: 3, ttlSeconds: 4, loadCostMs: 400, stampede, seedItems: 10 },
        })),
      },
      'stampede.yaml',
    );
    const { results } = await runSuite({
      suite,
      suiteFile: 'stampede.yaml',
      outDir: join(outDir, 'run'),
      progress: new Progress({ write: () => true } as unknown as NodeJS.WriteStream),
    });
    for (const c of results.cases) {
      expect(c.status, `${c.name}: ${c.error}`).toBe('completed');
      figures.set(c.name, (c.figures as { loadsPerExpiry: LoadsPerExpiry }).loadsPerExpiry);
    }
    // results.json on disk holds the same figures the runner returned.
    const saved = JSON.parse(readFileSync(join(outDir, 'run', 'results.json'), 'utf8')) as { cases: { figures: { loadsPerExpiry: LoadsPerExpiry } }[] };
    expect(saved.cases.map((c) => c.figures.loadsPerExpiry)).toEqual([...figures.values()]);
  }, 300_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('every option saw the hot key expire at least twice after its cold start', () => {
    for (const name of options) expect(figures.get(name)!.expiries, name).toBeGreaterThanOrEqual(2);
  });

  it('none: nearly every client loads the key at each expiry (≈ 100)', () => {
    expect(figures.get('none')!.loadsMean).toBeGreaterThanOrEqual(50);
  });

  it('single-flight in process: one load per replica per expiry (≈ 3)', () => {
    const f = figures.get('single-flight')!;
    expect(f.loadsMax).toBeLessThanOrEqual(3);
    expect(f.loadsMean).toBeGreaterThanOrEqual(2);
  });

  it('single-flight across processes (a Redis lock) and leases: exactly one load per expiry', () => {
    for (const name of ['redis-lock', 'lease']) expect(figures.get(name), name).toMatchObject({ loadsMean: 1, loadsMax: 1 });
  });

  it('XFetch: the key is reloaded before it expires, so readers (almost) never miss', () => {
    const f = figures.get('xfetch')!;
    expect(f.loadsMean).toBeGreaterThanOrEqual(1);
    expect(f.missesMean).toBeLessThan(1);
  });
});
