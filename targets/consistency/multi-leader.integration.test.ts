import { beforeAll, describe, expect, it } from 'vitest';
import { type RunCase, runInline } from '../../runner/run-inline.ts';

/** Three replicas that each take every write, one of them cut off from the others for a while: last-writer-wins against CRDTs. */
let cases: Record<string, RunCase>;

beforeAll(async () => {
  cases = await runInline({
    name: 'multi-leader',
    workload: {
      script: 'targets/consistency/counter.k6.ts',
      rate: 40,
      duration: '9s',
      timeout: '2s',
      preVUs: 6,
      maxVUs: 12,
      keys: 1,
      setRatio: 0.5,
      finalWaitMs: 5000,
    },
    cases: [
      { target: 'multi-leader', name: 'lww' },
      { target: 'multi-leader', name: 'crdt', options: { resolution: 'crdt' } },
    ],
    faults: [{ fault: 'partition', on: 'target-*', grouping: 'one', node: 'target-2', at: '1500ms', for: '4s' }],
    checkers: ['lock', 'convergence'],
  });
}, 180_000);

describe('multi-leader replicas cut apart and healed', () => {
  it('stay available on both sides of the partition', () => {
    for (const c of Object.values(cases)) expect(c.figures.availability.insideFaults.okShare).toBeGreaterThan(0.95);
  });

  it('converge to one value on every replica after the heal, both ways', () => {
    for (const [name, c] of Object.entries(cases)) expect(c.figures.convergence.converged, name).toBe(true);
  });

  it('with CRDTs, lose no increment and no add, and converge on every replica after the heal, while the run still reads them', () => {
    const crdt = cases.crdt;
    expect(crdt.check('convergence').valid).toBe(true);
    expect(crdt.check('lock').valid).toBe(true);
    expect(crdt.figures.counters.lostIncrements).toBe(0);
    expect(crdt.figures.convergence.lostAdds).toBe(0);
    // When is measured, not asserted: how soon depends on syncMs and on how busy the machine is.
    expect(crdt.figures.convergence.convergeMs).toBeGreaterThanOrEqual(0);
  });

  it('with last-writer-wins, drop concurrent increments and adds, and count them', () => {
    const lww = cases.lww;
    expect(lww.check('lock').valid).toBe(false);
    expect(lww.check('convergence')).toMatchObject({ valid: false, counterexample: { reason: expect.stringContaining('missing from the converged set') } });
    expect(lww.figures.counters.lostIncrements).toBeGreaterThan(0);
    expect(lww.figures.convergence.lostAdds).toBeGreaterThan(0);
  });
});
