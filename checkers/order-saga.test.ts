import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { checkOrderSaga, type OrderAudit } from './order-saga.ts';

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/order-saga/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

const initialStock = { 'sku-0': 3, 'sku-1': 4 };

/** One order of 1 × sku-0 placed and told `told`, then a settled audit. */
function one(told: Op['type'], audit: OrderAudit): Op[] {
  const value = { id: 'o1', sku: 'sku-0', qty: 1, amount: 5, card: 'ok', address: 'home' };
  const ops: Omit<Op, 'index' | 'time'>[] = [
    { process: 1, type: 'invoke', f: 'order', value },
    { process: 1, type: told, f: 'order', value },
    { process: 0, type: 'invoke', f: 'settle', value: null },
    { process: 0, type: 'ok', f: 'settle', value: { waitedMs: 1 } },
    { process: 0, type: 'invoke', f: 'audit', value: null },
    { process: 0, type: 'ok', f: 'audit', value: audit },
  ];
  return ops.map((op, index) => ({ ...op, index, time: index * 1e6 }) as Op);
}

const record = (state: string, qty = 1) => ({ orderId: 'o1', state, sku: 'sku-0', qty, atMs: 1 });
const audit = (state: string, records: { inventory?: string; payment?: string[]; shipping?: string }, available = 3): OrderAudit => ({
  orders: [{ id: 'o1', state, createdAtMs: 0, finishedAtMs: 5 }],
  inventory: { records: records.inventory ? [record(records.inventory)] : [], stock: { 'sku-0': available } },
  payment: { records: (records.payment ?? []).map((s) => record(s)) },
  shipping: { records: records.shipping ? [record(records.shipping)] : [] },
});

describe('checkOrderSaga fixtures', () => {
  it('ok: completed, compensated after a declined card, rejected for stock, and compensated after an undeliverable address', () => {
    const v = checkOrderSaga(fixture('order-saga-ok.jsonl'), { initialStock });
    expect(v).toMatchObject({ valid: true, orders: 4, completed: 1, rejected: 1, compensated: 2, violations: 0 });
  });

  it('bad: a compensated order whose stock is still reserved', () => {
    const v = checkOrderSaga(fixture('order-saga-bad.jsonl'), { initialStock });
    expect(v).toMatchObject({ valid: false, violations: 1, byRule: { 'orphaned-reservation': 1 }, counterexample: { order: 'o2' } });
  });
});

describe('checkOrderSaga', () => {
  it('passes a completed order with all three effects, and an undone one with none', () => {
    expect(
      checkOrderSaga(one('ok', audit('completed', { inventory: 'reserved', payment: ['charged'], shipping: 'scheduled' }, 2)), { initialStock }).valid,
    ).toBe(true);
    expect(
      checkOrderSaga(one('fail', audit('compensated', { inventory: 'released', payment: ['refunded'], shipping: 'refused' })), { initialStock }).valid,
    ).toBe(true);
  });

  it('fails a completed order missing an effect, a double charge, and an undone order still charged or shipped', () => {
    const check = (a: OrderAudit, told: Op['type'] = 'info') => checkOrderSaga(one(told, a), { initialStock }).byRule;
    expect(check(audit('completed', { inventory: 'reserved', payment: ['charged'] }, 2))).toEqual({ incomplete: 1 });
    expect(check(audit('completed', { inventory: 'reserved', payment: ['charged', 'charged'], shipping: 'scheduled' }, 2))).toEqual({ 'double-charge': 1 });
    expect(check(audit('compensated', { inventory: 'released', payment: ['charged'] }))).toEqual({ 'orphaned-charge': 1 });
    expect(check(audit('compensated', { inventory: 'released', payment: ['refunded'], shipping: 'scheduled' }))).toEqual({ 'orphaned-shipment': 1 });
  });

  it('fails stock below zero, and stock that does not add up', () => {
    const check = (available: number) =>
      checkOrderSaga(one('info', audit('completed', { inventory: 'reserved', payment: ['charged'], shipping: 'scheduled' }, available)), { initialStock })
        .byRule;
    expect(check(-1)).toEqual({ oversold: 1, 'stock-mismatch': 1 });
    expect(check(3)).toEqual({ 'stock-mismatch': 1 });
  });

  it('holds clients to what they were told', () => {
    expect(checkOrderSaga(one('ok', audit('compensated', { inventory: 'released' })), { initialStock }).byRule).toEqual({ 'lost-acknowledged': 1 });
    const completed = audit('completed', { inventory: 'reserved', payment: ['charged'], shipping: 'scheduled' }, 2);
    expect(checkOrderSaga(one('fail', completed), { initialStock }).byRule).toEqual({ 'completed-after-fail': 1 });
  });

  it('says unknown without a settled audit', () => {
    expect(checkOrderSaga([], { initialStock }).valid).toBe('unknown');
  });
});
