import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { checkTransferAtomicity, type TransferEffects } from './transfer-atomicity.ts';

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/transfer-atomicity/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

/** A history of one transfer, told `told` (with `outcome`), then a settled audit holding `effects`. */
function one(told: { type: Op['type']; outcome?: string }, effects: Record<string, TransferEffects>, settled = true): Op[] {
  const value = { id: 't1', from: 'a0', to: 'b0', amount: 10 };
  const ops: Omit<Op, 'index' | 'time'>[] = [
    { process: 1, type: 'invoke', f: 'transfer', value },
    { process: 1, f: 'transfer', value, ...told },
    { process: 0, type: 'invoke', f: 'settle', value: null },
    { process: 0, type: settled ? 'ok' : 'info', f: 'settle', value: { waitedMs: 1 } },
    { process: 0, type: 'invoke', f: 'audit', value: null },
    { process: 0, type: 'ok', f: 'audit', value: { transfers: effects } },
  ];
  return ops.map((op, index) => ({ ...op, index, time: index * 1e6 }) as Op);
}

const applied = { debit: { amount: -10, atMs: 1 }, credit: { amount: 10, atMs: 2 } };

describe('checkTransferAtomicity fixtures', () => {
  it('ok: applied, refused, compensated, returned to a closed account, and unknown transfers, each whole or without effect', () => {
    const v = checkTransferAtomicity(fixture('transfer-atomicity-ok.jsonl'));
    expect(v).toMatchObject({ valid: true, transfers: 6, applied: 2, none: 4, violations: 0 });
  });

  it('bad: a transfer whose answer was lost was debited and never credited', () => {
    const v = checkTransferAtomicity(fixture('transfer-atomicity-bad.jsonl'));
    expect(v).toMatchObject({ valid: false, applied: 1, violations: 1, byRule: { partial: 1 } });
    expect(v.counterexample).toMatchObject({ transfer: 't2', rule: 'partial', told: 'info', effects: { debit: { amount: -20 } } });
  });
});

describe('checkTransferAtomicity', () => {
  it('holds a committed transfer to having happened, and a refused one to not', () => {
    expect(checkTransferAtomicity(one({ type: 'ok', outcome: 'committed' }, {})).byRule).toEqual({ 'lost-acknowledged': 1 });
    expect(checkTransferAtomicity(one({ type: 'fail', outcome: 'rejected' }, { t1: applied })).byRule).toEqual({ 'applied-after-fail': 1 });
    expect(checkTransferAtomicity(one({ type: 'ok', outcome: 'committed' }, { t1: applied })).valid).toBe(true);
  });

  it('lets an accepted transfer (the outbox) and an unknown one end either way', () => {
    for (const told of [{ type: 'ok' as const, outcome: 'accepted' }, { type: 'info' as const }]) {
      expect(checkTransferAtomicity(one(told, {})).valid).toBe(true);
      expect(checkTransferAtomicity(one(told, { t1: applied })).valid).toBe(true);
    }
  });

  it('fails money credited without a debit, a wrong amount, a double refund, and effects no one asked for', () => {
    expect(checkTransferAtomicity(one({ type: 'info' }, { t1: { credit: { amount: 10, atMs: 1 } } })).byRule).toEqual({ partial: 1 });
    expect(checkTransferAtomicity(one({ type: 'info' }, { t1: { debit: { amount: -20, atMs: 1 }, credit: { amount: 10, atMs: 2 } } })).byRule).toEqual({
      'wrong-amount': 1,
    });
    const refundedTwice = { debit: { amount: -10, atMs: 1 }, refund: { amount: 20, atMs: 2 } };
    expect(checkTransferAtomicity(one({ type: 'info' }, { t1: refundedTwice })).byRule).toEqual({ 'wrong-amount': 1 });
    expect(checkTransferAtomicity(one({ type: 'ok', outcome: 'committed' }, { t1: applied, ghost: applied })).byRule).toEqual({ phantom: 1 });
  });

  it('says unknown, never true, without a settled audit', () => {
    const v = checkTransferAtomicity(one({ type: 'ok', outcome: 'committed' }, { t1: applied }, false));
    expect(v.valid).toBe('unknown');
    expect(v.reason).toMatch(/still busy/);
    expect(checkTransferAtomicity([]).valid).toBe('unknown');
  });
});
