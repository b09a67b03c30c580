import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { inDoubt, throughputWhile } from './in-doubt.ts';
import { orderWindows, transferWindows } from './inconsistency-windows.ts';

describe('transferWindows', () => {
  it('measures from the debit to the credit or the refund, and counts debits still standing as open', () => {
    const w = transferWindows({
      t1: { debit: { amount: -5, atMs: 100 }, credit: { amount: 5, atMs: 130 } },
      t2: { debit: { amount: -5, atMs: 100 }, credit: { amount: 0, atMs: 101 }, refund: { amount: 5, atMs: 110 } },
      t3: { debit: { amount: -5, atMs: 100 } },
      t4: { debit: { amount: 0, atMs: 100 } },
    });
    expect(w).toEqual({ count: 3, open: 1, ms: { p50: 10, p95: 30, p99: 30, max: 30, mean: 20 } });
  });

  it('has no distribution when no window closed', () => {
    expect(transferWindows({})).toEqual({ count: 0, open: 0, ms: null });
  });
});

describe('orderWindows', () => {
  it('measures from an order’s first effect to its end, skipping orders that left none', () => {
    const w = orderWindows({
      orders: [
        { id: 'o1', state: 'completed', finishedAtMs: 150 },
        { id: 'o2', state: 'rejected', finishedAtMs: 120 },
        { id: 'o3', state: 'pending' },
      ],
      records: [
        { orderId: 'o1', state: 'reserved', atMs: 100 },
        { orderId: 'o1', state: 'charged', atMs: 90 },
        { orderId: 'o2', state: 'refused', atMs: 110 },
        { orderId: 'o3', state: 'reserved', atMs: 100 },
      ],
    });
    expect(w).toEqual({ count: 2, open: 1, ms: { p50: 60, p95: 60, p99: 60, max: 60, mean: 60 } });
  });
});

describe('inDoubt', () => {
  it('measures how long each prepared transaction held its locks, recovery’s apart', () => {
    const f = inDoubt([
      { gid: 'g1', decision: 'commit', byRecovery: false, preparedAtMs: 0, completedAtMs: 2 },
      { gid: 'g2', decision: 'abort', byRecovery: true, preparedAtMs: 0, completedAtMs: 5000 },
      { gid: 'g3', decision: 'commit', byRecovery: true, preparedAtMs: 0, completedAtMs: 3000 },
      { gid: 'g4', decision: 'commit', byRecovery: false, preparedAtMs: 0 },
    ]);
    expect(f).toMatchObject({
      prepared: 4,
      unresolved: 1,
      recovered: { count: 2, commits: 1, aborts: 1, heldMs: { max: 5000 } },
      heldMs: { max: 5000, p50: 3000 },
    });
  });
});

describe('throughputWhile', () => {
  const op = (index: number, ms: number, type: Op['type']): Op => ({ index, time: ms * 1e6, process: index, type, f: 'transfer', value: null });
  it('counts ok completions a second inside and outside the intervals, over the load', () => {
    // Invocations from 0 to 10 s; 4 ok inside [2 s, 4 s), 2 outside.
    const history = [
      op(0, 0, 'invoke'),
      op(1, 2500, 'ok'),
      op(2, 2600, 'ok'),
      op(3, 3000, 'ok'),
      op(4, 3900, 'ok'),
      op(5, 5000, 'ok'),
      op(6, 9000, 'ok'),
      op(7, 10_000, 'invoke'),
    ];
    expect(throughputWhile(history, 'transfer', [{ fromMs: 2000, toMs: 4000 }])).toEqual({
      blockedSeconds: 2,
      blockedOkPerSecond: 2,
      otherSeconds: 8,
      otherOkPerSecond: 0.25,
    });
  });
});
