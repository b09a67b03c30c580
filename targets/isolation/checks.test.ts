import { describe, expect, it } from 'vitest';
import type { Op } from '../../history/op.ts';
import { loadSuite } from '../../runner/suite.ts';
import { planSuite } from '../../runner/plan-suite.ts';
import type { CaseFiles } from '../family.ts';
import { isolationChecks } from './checks.ts';
import { isolationFigures } from './figures.ts';
import { isolation } from './index.ts';

type Mop = [string, number, unknown];

/** A history of committed txns, each an invoke (reads nil) and an ok on its own process; `fail`s may be added. */
function history(...txns: Array<Mop[] | { fail: Mop[]; code: string }>): Op[] {
  const ops: Op[] = [];
  txns.forEach((t, process) => {
    const done = Array.isArray(t) ? t : t.fail;
    const invoke = done.map(([f, k, v]) => [f, k, f === 'r' ? null : v]);
    ops.push({ index: ops.length, time: ops.length, process, type: 'invoke', f: 'txn', value: invoke });
    if (Array.isArray(t)) ops.push({ index: ops.length, time: ops.length, process, type: 'ok', f: 'txn', value: done });
    else ops.push({ index: ops.length, time: ops.length, process, type: 'fail', f: 'txn', value: invoke, code: t.code });
  });
  return ops;
}

const files = (level: string, h: Op[]): CaseFiles => ({ history: h, metrics: [], options: { level, connections: 20, thinkMs: 10 }, workload: {} });

// Write skew: each reads the key the other appends to, and misses it.
const writeSkew = (): Op[] =>
  history(
    [
      ['r', 1, []],
      ['append', 2, 10],
    ],
    [
      ['r', 2, []],
      ['append', 1, 20],
    ],
  );
// Read skew: T0 misses T1's append to 1 but sees its append to 2.
const readSkew = (): Op[] =>
  history(
    [
      ['append', 1, 10],
      ['append', 2, 20],
    ],
    [
      ['r', 1, []],
      ['r', 2, [20]],
    ],
  );
const clean = (): Op[] =>
  history(
    [['append', 1, 10]],
    [
      ['r', 1, [10]],
      ['append', 2, 20],
    ],
    [['r', 2, [20]]],
  );

const run = (check: string, f: CaseFiles) => isolationChecks[check].run(f);
const line = (check: string, f: CaseFiles) => isolationChecks[check].summary!(run(check, f));

describe('isolation check: each level held to its promise', () => {
  it('lets repeatable read show write skew (G2-item), which snapshot isolation allows', () => {
    const v = run('isolation', files('repeatable-read', writeSkew()));
    expect(v).toMatchObject({ valid: true, level: 'repeatable-read', promises: 'snapshot-isolation', anomalyTypes: ['G2-item'] });
    expect(line('isolation', files('repeatable-read', writeSkew()))).toBe(
      'repeatable-read held to snapshot-isolation: valid; G2-item ×1; rules out serializable, strict-serializable (txns 2 ok, 0 fail, 0 info)',
    );
  });

  it('fails serializable on the same write skew, and repeatable read on read skew', () => {
    expect(run('isolation', files('serializable', writeSkew()))).toMatchObject({ valid: false, promises: 'serializable' });
    expect(run('isolation', files('repeatable-read', readSkew()))).toMatchObject({ valid: false, anomalyTypes: ['G-single'] });
    expect(run('isolation', files('read-committed', readSkew()))).toMatchObject({ valid: true, promises: 'read-committed' });
  });

  it('says unknown, never valid, when no committed transaction read anything', () => {
    const v = run('isolation', files('serializable', history([['append', 1, 10]])));
    expect(v.valid).toBe('unknown');
    expect(line('isolation', files('serializable', history([['append', 1, 10]])))).toContain('unknown (no committed transaction read anything');
  });

  it('refuses a case whose options name no level, naming the field', () => {
    expect(() => run('isolation', { ...files('x', clean()), options: {} })).toThrow(
      'options.level is undefined; expected one of read-committed, repeatable-read, serializable',
    );
  });
});

describe('expected-anomalies check: each level against its anchor', () => {
  it('reproduced: read committed shows read skew, repeatable read write skew, serializable nothing', () => {
    expect(run('expected-anomalies', files('read-committed', readSkew()))).toMatchObject({ valid: true, found: { 'G-single': 1 }, missing: [], beyond: [] });
    expect(run('expected-anomalies', files('repeatable-read', writeSkew()))).toMatchObject({ valid: true, found: { 'G2-item': 1 } });
    expect(run('expected-anomalies', files('serializable', clean()))).toMatchObject({ valid: true, found: {} });
    expect(line('expected-anomalies', files('repeatable-read', writeSkew()))).toBe(
      'reproduced: expected write skew (G2-item), and nothing snapshot isolation forbids (no G-single); found G2-item ×1; Jepsen, PostgreSQL 12.3: frequent G2-item: PostgreSQL "repeatable read" is snapshot isolation',
    );
  });

  it('not reproduced (unknown) when the expected anomaly did not show: no evidence it cannot', () => {
    const v = run('expected-anomalies', files('repeatable-read', clean()));
    expect(v).toMatchObject({ valid: 'unknown', missing: ['G2-item'] });
    expect(v.reason).toContain('G2-item did not show');
  });

  it('contradicted (false) by an anomaly the level keeps out: G-single at repeatable read, G2-item at serializable', () => {
    expect(run('expected-anomalies', files('repeatable-read', readSkew()))).toMatchObject({ valid: false, beyond: ['G-single'] });
    const v = run('expected-anomalies', files('serializable', writeSkew()));
    expect(v).toMatchObject({ valid: false, beyond: ['G2-item'] });
    expect(line('expected-anomalies', files('serializable', writeSkew()))).toMatch(
      /^CONTRADICTED \(G2-item rules out serializable, which serializable keeps\)/,
    );
  });
});

describe('isolation figures', () => {
  it('give the level, its promise, conflicts by kind, and one explained example of each anomaly', () => {
    const h = history(
      [
        ['r', 1, []],
        ['append', 2, 10],
      ],
      [
        ['r', 2, []],
        ['append', 1, 20],
      ],
      { fail: [['append', 1, 30]], code: '40001' },
      { fail: [['append', 2, 40]], code: '40P01' },
      { fail: [['append', 2, 50]], code: '57P01' },
    );
    const figures = isolationFigures(files('repeatable-read', h));
    expect(figures).toMatchObject({
      level: 'repeatable-read',
      sql: 'REPEATABLE READ',
      promises: 'snapshot-isolation',
      promiseKept: true,
      txns: { ok: 2, fail: 3, info: 0 },
      conflicts: { serialization: 1, deadlock: 1 },
      anomalyTypes: ['G2-item'],
      anomalyCounts: { 'G2-item': 1 },
      ruledOut: ['serializable', 'strict-serializable'],
      undecided: [],
      anchor: { reproduced: true, source: 'https://jepsen.io/analyses/postgresql-12.3' },
    });
    const example = (figures.examples as Record<string, { explanation: string; txns: unknown[] }>)['G2-item'];
    expect(example.explanation).toMatch(/without .*which T2 appended \(rw\); T2 read .* without .*which T1 appended \(rw\)/);
    expect(example.txns).toEqual([
      { name: 'T1', index: expect.any(Number), process: expect.any(Number) },
      { name: 'T2', index: expect.any(Number), process: expect.any(Number) },
    ]);
  });
});

describe('suites/isolation.yaml', () => {
  it('plans: the three levels of one pattern, both checks, every fault on a link or component the topology has', () => {
    const { cases, faults } = planSuite(loadSuite('suites/isolation.yaml'), 'suites/isolation.yaml');
    expect(cases.map((c) => [c.name, c.family, c.options.level])).toEqual([
      ['read-committed', isolation, 'read-committed'],
      ['repeatable-read', isolation, 'repeatable-read'],
      ['serializable', isolation, 'serializable'],
    ]);
    expect(cases.every((c) => c.checks.join() === 'isolation,expected-anomalies')).toBe(true);
    expect(faults.map((f) => `${f.kind} ${f.on}`)).toEqual([
      'latency target-to-postgres',
      'down target-to-postgres',
      'kill target',
      'restart postgres',
      'kill postgres',
    ]);
  });
});
