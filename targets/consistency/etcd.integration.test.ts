import { beforeAll, describe, expect, it } from 'vitest';
import { type RunCase, runInline } from '../../runner/run-inline.ts';

/**
 * Jepsen's etcd 3.4.3 analysis (2020), rediscovered: key-value operations
 * stay strict serializable under partitions, with linearizable reads; reads
 * marked serializable are served from a member's local state and can be
 * stale. Every grouping of the partition fault, one after another, a
 * minority cut off each time.
 */
let cases: Record<string, RunCase>;
const groupings = ['leader', 'one', 'halves', 'majorities-ring', 'bridge'];

beforeAll(async () => {
  cases = await runInline({
    name: 'etcd',
    workload: { script: 'targets/consistency/register.k6.ts', rate: 30, duration: '17s', timeout: '2s', preVUs: 8, maxVUs: 8, keys: 8 },
    cases: [
      { target: 'etcd-raft', name: 'linearizable' },
      { target: 'etcd-raft', name: 'serializable', options: { reads: 'serializable' } },
    ],
    faults: groupings.map((grouping, i) => ({ fault: 'partition', on: 'db-*', grouping, seed: i, at: `${1 + i * 3}s`, for: '2500ms' })),
    checkers: ['linearizable', 'staleness'],
  });
}, 240_000);

describe('etcd under a partition of each grouping', () => {
  it('cuts a minority off each time: every window has operations that a cut-off member could not complete', () => {
    const windows = cases.linearizable.figures.availability.windows as { on: string; outcomes: { ok: number; fail: number; info: number } }[];
    expect(windows).toHaveLength(groupings.length);
    const starts = cases.linearizable.history.filter((op) => op.f === 'start-partition').map((op) => op.value as { grouping: string; cut: string[][] });
    expect(starts.map((s) => s.grouping)).toEqual(groupings);
    for (const s of starts) expect(s.cut.length, s.grouping).toBeGreaterThan(0);
    expect(windows.reduce((n, w) => n + w.outcomes.info + w.outcomes.fail, 0)).toBeGreaterThan(0);
  });

  it('with linearizable reads, the history is linearizable', () => {
    expect(cases.linearizable.result.status).toBe('completed');
    expect(cases.linearizable.check('linearizable').valid).toBe(true);
    expect(cases.linearizable.figures.staleness.staleReads).toBe(0);
  });

  it('with serializable reads, a cut-off member serves stale reads, and the checker shows one', () => {
    const s = cases.serializable;
    expect(s.figures.staleness.staleReads).toBeGreaterThan(0);
    const linear = s.check('linearizable') as { valid: unknown; counterexample?: unknown[] };
    expect(linear.valid).toBe(false);
    expect(linear.counterexample!.length).toBeGreaterThan(0);
  });
});
