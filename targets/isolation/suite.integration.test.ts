import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../runner/progress.ts';
import { type RunResults, runSuite } from '../../runner/run-suite.ts';
import { loadSuite, parseSuite } from '../../runner/suite.ts';

/**
 * `suites/isolation.yaml` as it is, shortened to 8 s a level with one
 * PostgreSQL restart, through the runner: what results.json and the
 * terminal say of each level.
 */
describe('the isolation suite, shortened', () => {
  let out: string;
  let results: RunResults;
  let terminal = '';

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'patternbench-isolation-suite-'));
    const full = loadSuite('suites/isolation.yaml');
    const suite = parseSuite(
      { ...full, workload: { ...full.workload, duration: '8s' }, faults: [{ fault: 'restart', on: 'postgres', at: '3s', for: '1s' }] },
      'suites/isolation.yaml (shortened)',
    );
    const stream = { isTTY: false, write: (text: string) => ((terminal += text), true) } as unknown as NodeJS.WriteStream;
    ({ results } = await runSuite({ suite, suiteFile: 'suites/isolation.yaml', outDir: join(out, 'run'), progress: new Progress(stream) }));
  }, 150_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('runs all three levels to completion, the restart in each history', () => {
    expect(results.status).toBe('completed');
    expect(results.cases.map((c) => [c.name, c.status])).toEqual([
      ['read-committed', 'completed'],
      ['repeatable-read', 'completed'],
      ['serializable', 'completed'],
    ]);
    for (const c of results.cases) {
      expect(c.history.ok).toBeGreaterThanOrEqual(50);
      expect(c.history.nemesis).toBe(2);
    }
  });

  it('gives each level its figures in results.json: promise, anomalies, one explained example each, models ruled out, the anchor', () => {
    const saved = JSON.parse(readFileSync(join(out, 'run', 'results.json'), 'utf8')) as RunResults;
    const promises = { 'read-committed': 'read-committed', 'repeatable-read': 'snapshot-isolation', serializable: 'serializable' };
    for (const c of saved.cases) {
      const f = c.figures as Record<string, unknown> & {
        anomalyTypes: string[];
        examples: Record<string, { explanation: string }>;
        anchor: Record<string, unknown>;
      };
      expect(f.level).toBe(c.name);
      expect(f.promises).toBe(promises[c.name as keyof typeof promises]);
      expect(Object.keys(f.examples)).toEqual(f.anomalyTypes);
      for (const t of f.anomalyTypes) expect(f.examples[t].explanation).toMatch(/^T1 /);
      expect(f.anchor.source).toBe('https://jepsen.io/analyses/postgresql-12.3');
      expect([true, false, 'unknown']).toContain(f.anchor.reproduced);
      expect(c.checks?.results.isolation).toMatchObject({ level: c.name, promises: f.promises, valid: f.promiseKept });
      expect(c.checks?.results['expected-anomalies']).toMatchObject({ level: c.name, valid: f.anchor.reproduced });
    }
    // PostgreSQL keeps read committed and snapshot isolation at those levels.
    expect(saved.cases[0].checks?.results.isolation.valid).toBe(true);
    expect(saved.cases[1].checks?.results.isolation.valid).toBe(true);
  });

  it('says per level on the terminal what it was held to, what it showed, and what Jepsen found', () => {
    expect(terminal).toMatch(/ {2}isolation: read-committed held to read-committed: valid; .*\(txns \d+ ok, \d+ fail, \d+ info\)\n/);
    expect(terminal).toMatch(/ {2}isolation: repeatable-read held to snapshot-isolation: valid; /);
    expect(terminal).toMatch(/ {2}isolation: serializable held to serializable: /);
    expect(terminal).toMatch(/ {2}expected-anomalies: [^\n]*expected write skew \(G2-item\)[^\n]*Jepsen, PostgreSQL 12\.3: frequent G2-item/);
    expect(terminal).toMatch(/ {2}expected-anomalies: [^\n]*expected no anomaly at all[^\n]*Jepsen, PostgreSQL 12\.3: occasional G2-item/);
  });
});
