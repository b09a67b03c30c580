import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { history } from './history-builder.ts';
import { checkBank } from './bank.ts';

const read = (process: number, balances: Record<string, unknown>) => history().invoke(process, 'read', null).ok(process, 'read', balances).ops;

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/bank/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

describe('checkBank fixtures', () => {
  it('bank-ok: transfers (one failed, one unknown) and reads that always see whole transfers', () => {
    const v = checkBank(fixture('bank-ok.jsonl'), { total: 100, accounts: ['a', 'b', 'c'] });
    expect(v).toMatchObject({ valid: true, reads: 3, badReads: 0, transfers: { ok: 2, fail: 1, info: 1 } });
  });

  it('bank-bad: process 2 reads between the debit and the credit of a 10 transfer (sum 90)', () => {
    const v = checkBank(fixture('bank-bad.jsonl'), { total: 100 });
    expect(v).toMatchObject({ valid: false, badReads: 1, wrongSums: { '90': 1 }, counterexample: { process: 2, sum: 90, rules: ['wrong-total'] } });
  });
});

describe('checkBank', () => {
  it('passes reads that sum to the total with no negative balance', () => {
    expect(checkBank(read(0, { a: 60, b: 40 }), { total: 100 })).toMatchObject({ valid: true, reads: 1, wrongSums: {} });
  });

  it('fails a negative balance even when the sum is right', () => {
    const v = checkBank(read(0, { a: 110, b: -10 }), { total: 100 });
    expect(v).toMatchObject({ valid: false, firstBad: [{ index: 1, sum: 100, rules: ['negative-balance'] }] });
  });

  it('counts each wrong sum', () => {
    const h = [...read(0, { a: 50, b: 40 }), ...read(1, { a: 50, b: 40 }), ...read(2, { a: 70, b: 40 })].map((op, index) => ({ ...op, index }));
    expect(checkBank(h, { total: 100 })).toMatchObject({ valid: false, badReads: 3, wrongSums: { '90': 2, '110': 1 } });
  });

  it('checks the account set when given, and balances that are not numbers', () => {
    const v = checkBank(read(0, { a: 100, z: 0 }), { total: 100, accounts: ['a', 'b'] });
    expect(v.counterexample?.rules.sort()).toEqual(['missing-account', 'unexpected-account']);
    expect(checkBank(read(0, { a: 100, b: null }), { total: 100 }).counterexample?.rules).toEqual(['not-a-number']);
  });

  it('judges only ok reads, and ignores nemesis ops', () => {
    const h = history()
      .invoke(0, 'read', null)
      .fail(0, 'read', { a: 1 })
      .invoke(1, 'read', null)
      .info(1, 'read', null)
      .info('nemesis', 'start-partition', null);
    expect(checkBank(h.ops, { total: 100 })).toMatchObject({ valid: true, reads: 0 });
  });

  it('keeps only the first bad reads', () => {
    const h = Array.from({ length: 15 }, (_, i) => read(i, { a: i }))
      .flat()
      .map((op, index) => ({ ...op, index }));
    const v = checkBank(h, { total: 100 });
    expect(v.badReads).toBe(15);
    expect(v.firstBad.map((r) => r.sum)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
