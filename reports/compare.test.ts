import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRuns, regressionsAgainst } from './compare.ts';
import { renderCompareHtml } from './compare-html.ts';
import { renderCompareText } from './compare-text.ts';
import { synthesizeRun } from './fixtures/synthesize-run.ts';
import { loadRun } from './run-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const checks = (linear: true | false | 'unknown') => ({ linearizable: { valid: linear } });
const base = loadRun(
  synthesizeRun(join(dir, 'base'), {
    rate: 100,
    seed: 7,
    cases: [
      { name: 'a', ops: 2000, latencyMs: 2, hitRate: 0.8, checks: checks(true) },
      { name: 'b', ops: 2000, latencyMs: 2, hitRate: 0.5, checks: checks(true) },
    ],
  }),
);
// The same seed and load; "a" got slower, lost hit ratio and linearizability.
const worse = loadRun(
  synthesizeRun(join(dir, 'worse'), {
    rate: 100,
    seed: 7,
    thresholds: { p50: '< 3ms' },
    cases: [
      { name: 'a', ops: 2000, latencyMs: 4, hitRate: 0.6, checks: checks(false) },
      { name: 'b', ops: 2000, latencyMs: 2, hitRate: 0.5, checks: checks(true) },
      { name: 'new', ops: 100 },
    ],
  }),
);

describe('compareRuns, run against run', () => {
  const report = compareRuns([base, worse], undefined);

  it('flags latencies past the relative tolerance, ratios past the points, and a worse verdict, and lists them first', () => {
    const regressed = report.comparisons.filter((c) => c.regressed).map((c) => `${c.case} ${c.figure}`);
    expect(regressed).toContain('a p50');
    expect(regressed).toContain('a hitRatio');
    expect(regressed).toContain('a linearizable');
    expect(regressed.every((r) => r.startsWith('a '))).toBe(true);
    const firstCalm = report.comparisons.findIndex((c) => !c.regressed);
    expect(report.comparisons.slice(firstCalm).some((c) => c.regressed)).toBe(false);
  });

  it('does not flag the case whose load and outcome were the same', () => {
    expect(report.comparisons.filter((c) => c.case === 'b' && c.regressed)).toEqual([]);
  });

  it("shows the compared run's threshold beside the figure", () => {
    expect(report.comparisons.find((c) => c.case === 'a' && c.figure === 'p50')?.threshold).toEqual({ expected: '< 3ms', pass: false });
  });

  it('names the cases it had nothing to compare with', () => {
    expect(report.unmatched).toEqual([{ run: 'worse', case: 'new' }]);
  });

  it('says the same as text and as a page, regressions first', () => {
    const text = renderCompareText(report);
    expect(text).toMatch(/^compared with base \(tolerance 10%/);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('case'));
    expect(lines[header + 1]).toContain('REGRESSED');
    expect(text).toContain('worse/new: not in base, nothing to compare with');
    const html = renderCompareHtml(report);
    expect(html.indexOf('REGRESSED')).toBeLessThan(html.indexOf('<td>b</td>'));
  });

  it('regressionsAgainst gives what results.json records', () => {
    const { regressions } = regressionsAgainst(worse, base, { relative: 0.1, ratioPoints: 0.01 });
    expect(regressions.find((g) => g.figure === 'linearizable')).toEqual({ case: 'a', figure: 'linearizable', baseline: true, value: false, change: null });
    expect(regressions.find((g) => g.figure === 'hitRatio')!.change).toBeLessThan(-0.1);
  });

  it('takes a wider tolerance at its word', () => {
    const lenient = compareRuns([worse], base, { relative: 10, ratioPoints: 1 });
    expect(lenient.comparisons.filter((c) => c.regressed).map((c) => c.figure)).toEqual(['linearizable']);
  });
});

describe('compareRuns, pattern against pattern', () => {
  it('compares each case of one run with its first', () => {
    const report = compareRuns([base], undefined);
    expect(report.reference).toBe('base/a');
    expect(new Set(report.comparisons.map((c) => c.case))).toEqual(new Set(['b']));
    expect(report.comparisons.find((c) => c.figure === 'hitRatio')).toMatchObject({ regressed: true });
  });
});
