import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../history/op.ts';
import { transactionChecks } from './checks.ts';
import { transactionFigures } from './figures.ts';

const fixture = (path: string): Op[] =>
  readFileSync(new URL(`../../checkers/fixtures/${path}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

/** A bank history: the initial read, reads during the load (one mid-transfer), then settle, audit and the final read. */
function bank(mid: Record<string, number>, final: Record<string, number>): Op[] {
  const seed = { a0: 100, 'a-closed': 0, b0: 100, 'b-closed': 0 };
  const t = { id: 't1', from: 'a0', to: 'b0', amount: 10 };
  const ops: Omit<Op, 'index' | 'time'>[] = [
    { process: 0, type: 'invoke', f: 'read', value: null, initial: true },
    { process: 0, type: 'ok', f: 'read', value: seed, initial: true },
    { process: 1, type: 'invoke', f: 'transfer', value: t },
    { process: 2, type: 'invoke', f: 'read', value: null },
    { process: 2, type: 'ok', f: 'read', value: mid, latencyMs: 3 },
    { process: 1, type: 'ok', f: 'transfer', value: t, outcome: 'completed', latencyMs: 5 },
    { process: 0, type: 'invoke', f: 'settle', value: null },
    { process: 0, type: 'ok', f: 'settle', value: { waitedMs: 7 } },
    { process: 0, type: 'invoke', f: 'audit', value: null },
    {
      process: 0,
      type: 'ok',
      f: 'audit',
      atWallMs: 1_000,
      value: { commits: 'per-step', transfers: { t1: { debit: { amount: -10, atMs: 100 }, credit: { amount: 10, atMs: 140 } } } },
    },
    { process: 0, type: 'invoke', f: 'read', value: null, final: true },
    { process: 0, type: 'ok', f: 'read', value: final, final: true },
  ];
  return ops.map((op, index) => ({ ...op, index, time: index * 1e8 }) as Op);
}

const files = (history: Op[]) => ({ history, metrics: [], options: { accountsPerShard: 1, initialBalance: 100 }, workload: {} });
const whole = { a0: 90, 'a-closed': 0, b0: 110, 'b-closed': 0 };

describe('the transactions checks', () => {
  it('conservation judges the reads taken with nothing in flight; read-atomicity every read', () => {
    const h = bank({ a0: 90, 'a-closed': 0, b0: 100, 'b-closed': 0 }, whole);
    expect(transactionChecks.conservation.run(files(h))).toMatchObject({ valid: true, reads: 2 });
    expect(transactionChecks['read-atomicity'].run(files(h))).toMatchObject({ valid: false, badReads: 1, wrongSums: { '190': 1 } });
    expect(transactionChecks.conservation.run(files(bank(whole, { ...whole, b0: 100 })))).toMatchObject({ valid: false });
  });

  it('conservation says unknown without a settled audit', () => {
    const h = bank(whole, whole).filter((op) => op.f !== 'settle');
    expect(transactionChecks.conservation.run(files(h)).valid).toBe('unknown');
  });

  it('order-outcomes reads the initial stock from the pattern’s options', () => {
    const v = transactionChecks['order-outcomes'].run({
      history: fixture('order-saga/order-saga-ok.jsonl'),
      metrics: [],
      options: { skus: 2, initialStock: 4 },
      workload: {},
    });
    // The fixture started sku-0 at 3, so with 4 the stock cannot add up.
    expect(v).toMatchObject({ valid: false, byRule: { 'stock-mismatch': 1 } });
  });
});

describe('the transactions figures', () => {
  it('bank: throughput, latency, outcomes, windows and what a concurrent reader saw', () => {
    const f = transactionFigures(files(bank({ a0: 90, 'a-closed': 0, b0: 100, 'b-closed': 0 }, whole)));
    expect(f).toMatchObject({
      outcomes: { ok: { completed: 1 }, fail: {}, info: 0 },
      latencyMs: { ok: { p50: 5, max: 5 } },
      settle: { quiescent: true, waitedMs: 7 },
      readAnomalies: { reads: 1, anomalous: 1, fraction: 1, missingAmount: { p50: 10 } },
      inconsistencyWindowMs: { count: 1, open: 0, ms: { p50: 40 } },
      faults: { windows: [] },
    });
    expect(f).not.toHaveProperty('inDoubt');
  });

  it('orders: final states, windows and reads that saw an order mid-saga', () => {
    const f = transactionFigures(files(fixture('order-saga/order-saga-ok.jsonl')));
    expect(f).toMatchObject({ orderStates: { completed: 1, compensated: 2, rejected: 1 }, inconsistencyWindowMs: { count: 3, open: 0 } });
  });
});
