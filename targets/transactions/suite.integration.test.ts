import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Progress } from '../../runner/progress.ts';
import type { CaseResult } from '../../runner/run-case.ts';
import { runSuite } from '../../runner/run-suite.ts';
import { parseSuite } from '../../runner/suite.ts';

/**
 * The third acceptance test, through the runner as a user runs a
 * suite: 2PC, both sagas and the outbox under the same load and the same
 * kill of the service the workload drives; each keeps atomicity and
 * conservation after recovery, and the results carry their throughput,
 * latency and — per pattern — in-doubt time or inconsistency windows, side
 * by side.
 */
describe('the bank patterns under the same load and faults', () => {
  let dir: string;
  let cases: CaseResult[];
  const patterns = ['two-phase-commit', 'orchestrated-saga', 'choreographed-saga', 'outbox'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'patternbench-transactions-suite-'));
    const suite = parseSuite(
      {
        name: 'transactions-short',
        workload: { script: 'targets/transactions/transfers.k6.ts', rate: 15, duration: '8s', timeout: '2s', settleTimeout: '40s' },
        cases: patterns.map((target) => ({ target })),
        faults: [{ fault: 'kill', on: 'target', at: '2s', for: '1s' }],
        checkers: ['atomicity', 'conservation'],
      },
      'test',
    );
    const quiet = new Progress({ write: () => true, isTTY: false } as unknown as NodeJS.WriteStream);
    cases = (await runSuite({ suite, suiteFile: 'test', outDir: join(dir, 'run'), progress: quiet })).results.cases;
  }, 420_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every case to the end with the kill and its restart in the history', () => {
    expect(cases.map((c) => [c.name, c.status, c.error])).toEqual(patterns.map((p) => [p, 'completed', undefined]));
    for (const c of cases) expect(c.history.nemesis).toBe(2);
  });

  it('keeps atomicity and conservation after recovery in every pattern', () => {
    for (const c of cases) {
      expect(c.checks?.results.atomicity, c.name).toMatchObject({ valid: true });
      expect(c.checks?.results.conservation, c.name).toMatchObject({ valid: true, reads: 2 });
      expect(c.checks?.results.atomicity.transfers, c.name).toBeGreaterThan(30);
    }
  });

  it('reports throughput, latency and in-doubt time or inconsistency windows side by side', () => {
    for (const c of cases) {
      // biome-ignore lint/suspicious/noExplicitAny: figures are JSON; the test reads them field by field
      const f = c.figures as Record<string, any>;
      expect(f.throughput.okPerSecond, c.name).toBeGreaterThan(0);
      expect(f.latencyMs.ok.p50, c.name).toBeGreaterThan(0);
      expect(f.faults.windows, c.name).toHaveLength(1);
      expect(f.settle, c.name).toMatchObject({ quiescent: true });
      if (c.name === 'two-phase-commit') {
        expect(f.inDoubt.prepared).toBeGreaterThan(0);
        expect(Object.keys(f.phasesMs).sort()).toEqual(['commitMs', 'decisionMs', 'prepareMs', 'workMs']);
        expect(f.readAnomalies.anomalous).toBe(0);
      } else {
        expect(f.inconsistencyWindowMs.count, c.name).toBeGreaterThan(0);
        expect(f.inconsistencyWindowMs.ms.p50, c.name).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
