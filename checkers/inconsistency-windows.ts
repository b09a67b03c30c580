import { type Distribution, distribution as rawDistribution } from './staleness.ts';

/** Nearest-rank percentiles to 0.01 ms (the services' timestamps are microseconds; nothing finer means anything here). */
function distribution(xs: readonly number[]): Distribution | null {
  const d = rawDistribution(xs);
  return d && { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) };
}

const round = (x: number) => Math.round(x * 100) / 100;
import type { TransferEffects } from './transfer-atomicity.ts';

/** How long intermediate states stood: a distribution of windows (ms), and how many never closed. */
export interface WindowFigures {
  /** Transactions that showed an intermediate state. */
  count: number;
  /** Nearest-rank percentiles of the windows that closed, ms; null when none did. */
  ms: (Distribution & { mean: number }) | null;
  /** Intermediate states still standing in the final audit. */
  open: number;
}

function figures(windows: number[], open: number): WindowFigures {
  const d = distribution(windows);
  const mean = windows.length ? windows.reduce((a, b) => a + b, 0) / windows.length : 0;
  return { count: windows.length + open, ms: d && { ...d, mean: round(mean) }, open };
}

/**
 * The window of inconsistency of each transfer whose steps commit one by one
 * (sagas, the outbox, local commits), from its ledger entries' times (pure):
 * from the debit, when the money left the source account, to the credit
 * that delivered it or the refund that returned it. Meaningless for 2PC,
 * whose entries become visible together at COMMIT PREPARED. Entries carry
 * the time they were written, a millisecond or so before their commit.
 */
export function transferWindows(effects: Readonly<Record<string, TransferEffects>>): WindowFigures {
  const windows: number[] = [];
  let open = 0;
  for (const e of Object.values(effects)) {
    if (!e.debit || e.debit.amount === 0) continue;
    const end = e.credit && e.credit.amount !== 0 ? e.credit : e.refund && e.refund.amount !== 0 ? e.refund : undefined;
    if (end) windows.push(Math.max(0, end.atMs - e.debit.atMs));
    else open++;
  }
  return figures(windows, open);
}

/** An order and the participants' records of it, as the order saga's audit reports them. */
export interface OrderTimes {
  orders: ReadonlyArray<{ id: string; state: string; finishedAtMs?: number }>;
  /** Every participant record: when the order's first effect (a reservation) was written. */
  records: ReadonlyArray<{ orderId: string; state: string; atMs: number }>;
}

/**
 * The window of inconsistency of each order (pure): from its first effect
 * on any participant (a reservation, a charge) to the moment the order
 * ended, completed or compensated. Orders refused at their first step left
 * no effect and have no window; orders still pending count as open.
 */
export function orderWindows(audit: OrderTimes): WindowFigures {
  const first = new Map<string, number>();
  for (const r of audit.records) {
    if (r.state === 'refused' || r.state === 'voided') continue;
    first.set(r.orderId, Math.min(first.get(r.orderId) ?? Number.POSITIVE_INFINITY, r.atMs));
  }
  const windows: number[] = [];
  let open = 0;
  for (const o of audit.orders) {
    const start = first.get(o.id);
    if (start === undefined) continue;
    if (o.finishedAtMs === undefined) open++;
    else windows.push(Math.max(0, o.finishedAtMs - start));
  }
  return figures(windows, open);
}
