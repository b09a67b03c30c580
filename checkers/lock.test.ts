import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { checkLock } from './lock.ts';

/** A history in file order; `op(process, type, f, extra)` appends one op 1 ms after the last. */
function builder() {
  const ops: Op[] = [];
  const op = (process: number | 'nemesis', type: Op['type'], f: string, extra: Record<string, unknown> = {}) => {
    ops.push({ index: ops.length, time: ops.length * 1e6, process, type, f, key: 'c0', value: f === 'incr' ? 1 : null, ...extra });
    return b;
  };
  const b = {
    ops,
    op,
    incr: (p: number, extra: Record<string, unknown>, type: Op['type'] = 'ok') => op(p, 'invoke', 'incr').op(p, type, 'incr', extra),
    final: (p: number, node: string, value: number) => op(p, 'invoke', 'read', { final: true }).op(p, 'ok', 'read', { final: true, node, value }),
  };
  return b;
}

describe('checkLock', () => {
  it('passes increments that each read what the last wrote, in sections that do not overlap, all in the final value', () => {
    const h = builder()
      .incr(1, { read: 0, value: 1, heldFromMs: 0, wroteAtMs: 10 })
      .incr(2, { read: 1, value: 2, heldFromMs: 11, wroteAtMs: 20 })
      .incr(3, {}, 'fail')
      .final(9, 'target-1', 2)
      .final(9, 'target-2', 2).ops;
    const v = checkLock(h);
    expect(v).toMatchObject({ valid: true, lostIncrements: 0, staleReads: 0, mutualExclusionViolations: 0 });
    expect(v.counters).toEqual([{ key: 'c0', ok: 2, info: 0, fail: 1, final: 2, lost: 0, phantom: 0, duplicateReads: 0, overlaps: 0 }]);
  });

  it('counts a holder paused past its lease: two read the same value, their sections overlap, an increment is lost', () => {
    const h = builder()
      .incr(1, { read: 5, value: 6, heldFromMs: 0, wroteAtMs: 3000 }) // paused between its read and its write
      .incr(2, { read: 5, value: 6, heldFromMs: 1200, wroteAtMs: 1250 })
      .final(9, 'db', 6).ops;
    const v = checkLock(h, { init: 5 });
    expect(v).toMatchObject({ valid: false, lostIncrements: 1, staleReads: 1, mutualExclusionViolations: 1 });
    expect(v.counterexample?.reason).toBe('the final value 6 holds 1 increments, but 2 were acknowledged');
  });

  it('lets unknown increments land or not, but not more than were attempted', () => {
    const ok = builder().incr(1, {}).incr(2, {}, 'info').final(9, 'db', 2).ops;
    expect(checkLock(ok).valid).toBe(true);
    expect(checkLock(builder().incr(1, {}).incr(2, {}, 'info').final(9, 'db', 1).ops).valid).toBe(true);
    const phantom = checkLock(builder().incr(1, {}).final(9, 'db', 3).ops);
    expect(phantom).toMatchObject({ valid: false, counters: [{ phantom: 2 }] });
  });

  it('counts two holders at once that did no harm (the late one wrote before the next read), without failing the counter', () => {
    const h = builder()
      .incr(1, { read: 0, value: 1, heldFromMs: 0, wroteAtMs: 1500 }) // slow past its lease, but wrote first
      .incr(2, { read: 1, value: 2, heldFromMs: 1000, wroteAtMs: 1600 })
      .final(9, 'db', 2).ops;
    const v = checkLock(h);
    expect(v).toMatchObject({ valid: true, lostIncrements: 0, staleReads: 0, mutualExclusionViolations: 1 });
    expect(v.counterexample?.reason).toBe('two holders were in the critical section at once');
  });

  it('says unknown without final reads, or when the replicas’ final reads disagree — and counts a violation as false all the same', () => {
    expect(checkLock(builder().incr(1, {}).ops)).toMatchObject({ valid: 'unknown', reason: expect.stringContaining('no final reads') });
    expect(checkLock(builder().incr(1, {}).final(9, 'a', 1).final(9, 'b', 0).ops).valid).toBe('unknown');
    const dup = builder().incr(1, { read: 0 }).incr(2, { read: 0 }).ops;
    expect(checkLock(dup)).toMatchObject({ valid: false, counterexample: { reason: '2 acknowledged increments all read 0' } });
  });
});
