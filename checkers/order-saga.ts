import type { Op } from '../history/op.ts';
import { finalState } from './after-quiescence.ts';
import type { Verdict } from './verdict.ts';

/** A participant's record of one order, as the audit reports it. */
interface ParticipantRecord {
  orderId: string;
  state: string;
  sku?: string;
  qty?: number;
  atMs: number;
  undoneAtMs?: number;
}

/** The final audit of the order saga (`GET /audit`). */
export interface OrderAudit {
  orders: Array<{ id: string; state: string; createdAtMs: number; finishedAtMs?: number }>;
  inventory: { records: ParticipantRecord[]; stock?: Record<string, number> };
  payment: { records: ParticipantRecord[] };
  shipping: { records: ParticipantRecord[] };
}

export type OrderRule =
  /** A completed order missing one of its effects (reserved, charged, scheduled). */
  | 'incomplete'
  /** An order charged more than once. */
  | 'double-charge'
  /** Stock still reserved, a charge still standing or a shipment still scheduled for an order that did not complete (or does not exist). */
  | 'orphaned-reservation'
  | 'orphaned-charge'
  | 'orphaned-shipment'
  /** Stock below zero, or stock units created or lost: available ≠ initial − reserved. */
  | 'oversold'
  | 'stock-mismatch'
  /** The order still pending after the service settled. */
  | 'unfinished'
  /** The client was told it completed (200) and it did not, or told it was refused (409) and it completed. */
  | 'lost-acknowledged'
  | 'completed-after-fail'
  /** An order no client placed. */
  | 'phantom';

export interface OrderViolation {
  order?: string;
  sku?: string;
  rule: OrderRule;
  detail: string;
}

export interface OrderSagaVerdict extends Verdict {
  orders: number;
  completed: number;
  rejected: number;
  compensated: number;
  violations: number;
  firstViolations: OrderViolation[];
  byRule: Partial<Record<OrderRule, number>>;
  counterexample?: OrderViolation;
  reason?: string;
}

export interface OrderSagaOptions {
  /** Every SKU's stock before any order. */
  initialStock: Readonly<Record<string, number>>;
}

const SHOWN = 10;

/**
 * The order saga's outcomes after quiescence (pure; throws nothing), from
 * the final audit of every service: each order is completed with all its
 * effects (stock reserved with its quantity, charged, shipment scheduled)
 * or ended — rejected or compensated — with none standing (no reservation,
 * charge or shipment left); no order is charged twice; no reservation,
 * charge or shipment stands for an order that did not complete; no SKU's
 * stock is below zero, and each SKU's stock is its initial stock less what
 * completed orders reserved. What clients were told must hold: a 200
 * (`ok`) order completed, a 409 (`fail`) order did not. `unknown` when the
 * history has no settled final audit.
 */
export function checkOrderSaga(history: readonly Op[], opts: OrderSagaOptions): OrderSagaVerdict {
  const empty = { orders: 0, completed: 0, rejected: 0, compensated: 0, violations: 0, firstViolations: [], byRule: {} };
  const final = finalState(history);
  if (!final.settled) return { valid: 'unknown', ...empty, reason: final.reason };
  const audit = final.audit.value as OrderAudit;

  const placed = new Map<string, { sku: string; qty: number }>();
  const told = new Map<string, Op['type']>();
  const invoked = new Map<Op['process'], string>();
  for (const op of history) {
    if (op.f !== 'order' || op.process === 'nemesis') continue;
    const value = op.value as { id: string; sku: string; qty: number };
    if (op.type === 'invoke') {
      placed.set(value.id, value);
      invoked.set(op.process, value.id);
    } else told.set(invoked.get(op.process) ?? value.id, op.type);
  }

  const violations: OrderViolation[] = [];
  const violation = (rule: OrderRule, detail: string, where: { order?: string; sku?: string }) => violations.push({ ...where, rule, detail });
  const byOrder = (records: ParticipantRecord[]) => {
    const map = new Map<string, ParticipantRecord[]>();
    for (const r of records) map.set(r.orderId, [...(map.get(r.orderId) ?? []), r]);
    return map;
  };
  const reservations = byOrder(audit.inventory.records);
  const payments = byOrder(audit.payment.records);
  const shipments = byOrder(audit.shipping.records);
  const states = new Map(audit.orders.map((o) => [o.id, o.state]));
  const count = { completed: 0, rejected: 0, compensated: 0 };

  for (const order of audit.orders) {
    const where = { order: order.id };
    if (!placed.has(order.id)) violation('phantom', 'no client placed this order', where);
    if (order.state === 'pending') {
      violation('unfinished', 'still pending after the service settled', where);
      continue;
    }
    if (order.state in count) count[order.state as keyof typeof count]++;
    const charges = (payments.get(order.id) ?? []).filter((r) => r.state === 'charged').length;
    if (charges > 1) violation('double-charge', `charged ${charges} times`, where);
    const standing = {
      reservation: (reservations.get(order.id) ?? []).find((r) => r.state === 'reserved'),
      charge: charges > 0,
      shipment: (shipments.get(order.id) ?? []).some((r) => r.state === 'scheduled'),
    };
    if (order.state === 'completed') {
      const wanted = placed.get(order.id);
      const missing = [
        !standing.reservation || (wanted && standing.reservation.qty !== wanted.qty) ? 'stock reserved' : '',
        !standing.charge ? 'a charge' : '',
        !standing.shipment ? 'a shipment' : '',
      ].filter(Boolean);
      if (missing.length > 0) violation('incomplete', `completed without ${missing.join(', ')}`, where);
    } else {
      if (standing.reservation)
        violation('orphaned-reservation', `${order.state}, yet ${standing.reservation.qty} of ${standing.reservation.sku} still reserved`, where);
      if (standing.charge) violation('orphaned-charge', `${order.state}, yet still charged`, where);
      if (standing.shipment) violation('orphaned-shipment', `${order.state}, yet a shipment is still scheduled`, where);
    }
    const answer = told.get(order.id);
    if (answer === 'ok' && order.state !== 'completed') violation('lost-acknowledged', `the client was told it completed; it ended ${order.state}`, where);
    if (answer === 'fail' && order.state === 'completed') violation('completed-after-fail', 'the client was told it was refused; it completed', where);
  }
  for (const [id, records] of [...reservations, ...payments, ...shipments]) {
    if (states.has(id)) continue;
    const active = records.find((r) => ['reserved', 'charged', 'scheduled'].includes(r.state));
    if (active)
      violation(`orphaned-${{ reserved: 'reservation', charged: 'charge', scheduled: 'shipment' }[active.state]}` as OrderRule, 'no such order', { order: id });
  }
  for (const [id, answer] of told)
    if (answer === 'ok' && !states.has(id)) violation('lost-acknowledged', 'the client was told it completed; no such order', { order: id });

  const reserved = new Map<string, number>();
  for (const r of audit.inventory.records) if (r.state === 'reserved' && r.sku) reserved.set(r.sku, (reserved.get(r.sku) ?? 0) + (r.qty ?? 0));
  const stock = audit.inventory.stock ?? {};
  for (const [sku, initial] of Object.entries(opts.initialStock)) {
    const available = stock[sku];
    if (available === undefined) continue;
    if (available < 0) violation('oversold', `${available} in stock`, { sku });
    const expected = initial - (reserved.get(sku) ?? 0);
    if (available !== expected)
      violation('stock-mismatch', `${available} in stock; ${initial} at the start less ${reserved.get(sku) ?? 0} reserved is ${expected}`, { sku });
  }

  const byRule: Partial<Record<OrderRule, number>> = {};
  for (const v of violations) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
  return {
    valid: violations.length === 0,
    orders: audit.orders.length,
    ...count,
    violations: violations.length,
    firstViolations: violations.slice(0, SHOWN),
    byRule,
    ...(violations.length > 0 ? { counterexample: violations[0] } : {}),
  };
}
