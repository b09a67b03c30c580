import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeRun } from './fixtures/synthesize-run.ts';
import { loadRun } from './run-model.ts';
import { evaluateThresholds, meets, parseThreshold } from './thresholds.ts';

describe('parseThreshold', () => {
  it('reads a limit in the figure’s unit', () => {
    expect(parseThreshold('p99', '< 50ms', 'ms')).toMatchObject({ op: '<', limit: 50 });
    expect(parseThreshold('p99', '<=1.5s', 'ms')).toMatchObject({ op: '<=', limit: 1500 });
    expect(parseThreshold('staleReads', '<= 1%', 'ratio')).toMatchObject({ op: '<=', limit: 0.01 });
    expect(parseThreshold('staleReads', '< 0.02', 'ratio')).toMatchObject({ limit: 0.02 });
    expect(parseThreshold('throughput', '>= 45/s', 'perSecond')).toMatchObject({ op: '>=', limit: 45 });
    expect(parseThreshold('lostWrites', '== 0', 'count')).toMatchObject({ op: '==', limit: 0 });
    expect(parseThreshold('linearizable', true, 'verdict')).toMatchObject({ kind: 'verdict' });
  });

  it('says what it expected for a suffix that does not fit, a bad expression, or a check not set to true', () => {
    expect(() => parseThreshold('p99', '< 5%', 'ms')).toThrow(
      '"p99" is in ms: "%" does not fit; it takes "<op> <number>[ms|s]" (op: < <= > >= ==), e.g. "< 50ms"',
    );
    expect(() => parseThreshold('p99', 'fast', 'ms')).toThrow(/"p99" \(ms\) takes .* got "fast"/);
    expect(() => parseThreshold('errors', '< 1/s', 'count')).toThrow(/"\/s" does not fit/);
    expect(() => parseThreshold('linearizable', false, 'verdict')).toThrow('its threshold can only be true');
    expect(() => parseThreshold('p99', true, 'ms')).toThrow(/takes/);
  });

  it('compares as written', () => {
    const t = (op: string) => parseThreshold('x', `${op} 10`, 'count') as Extract<ReturnType<typeof parseThreshold>, { kind: 'compare' }>;
    expect([meets(t('<'), 10), meets(t('<='), 10), meets(t('>'), 10), meets(t('>='), 10), meets(t('=='), 10)]).toEqual([false, true, false, true, true]);
  });
});

describe('evaluateThresholds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thresholds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  synthesizeRun(dir, {
    rate: 100,
    thresholds: { p99: '< 50ms', staleReads: '<= 1%', linearizable: true, hitRatio: '>= 50%', bestHitRatio: '>= 90%' },
    cases: [
      { name: 'good', ops: 500, latencyMs: 2, checks: { linearizable: { valid: true }, staleness: { valid: true, staleFraction: 0 } } },
      { name: 'slow', ops: 500, latencyMs: 200, checks: { linearizable: { valid: 'unknown' }, staleness: { valid: false, staleFraction: 0.05 } } },
    ],
  });
  const outcomes = evaluateThresholds(loadRun(dir));
  const of = (c: string, f: string) => outcomes.find((o) => o.case === c && o.figure === f)!;

  it('passes what holds and fails what does not, in the figure’s own unit', () => {
    expect(of('good', 'p99')).toMatchObject({ pass: true, expected: '< 50ms' });
    expect(of('slow', 'p99').pass).toBe(false);
    expect(of('good', 'staleReads')).toMatchObject({ pass: true, actual: 0 });
    expect(of('slow', 'staleReads')).toMatchObject({ pass: false, actual: 0.05 });
    expect(of('good', 'hitRatio').pass).toBe(true);
  });

  it('leaves a check that could not decide unknown, never passed', () => {
    expect(of('good', 'linearizable')).toMatchObject({ pass: true, actual: true });
    expect(of('slow', 'linearizable')).toMatchObject({ pass: 'unknown', actual: 'unknown' });
  });

  it('fails a figure the run does not have', () => {
    expect(of('good', 'bestHitRatio')).toMatchObject({ pass: false, actual: null });
  });
});
