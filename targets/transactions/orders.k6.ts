/**
 * The order workload: orders placed at a fixed arrival rate (open model)
 * and reads of earlier orders, every operation recorded by Jepsen's rules;
 * then, in `teardown`, a wait for quiescence and the audit of every
 * service (`settle.k6.ts`).
 *
 * - `order` (POST /orders): value `{ id, sku, qty, amount, card, address }`;
 *   `DECLINE_RATIO` of the cards are declined (the payment step refuses:
 *   the reservation is compensated), `UNDELIVERABLE_RATIO` of the addresses
 *   are `nowhere` (shipping refuses: the charge and the reservation are
 *   compensated); stock runs out as the load goes on (inventory refuses).
 * - `read-order` (GET /orders/:id) of one of this VU's orders: value its
 *   state; a `pending` one is an intermediate state a reader saw.
 *
 * Env: TARGET_URLS, RATE, DURATION, PRE_VUS, MAX_VUS, TIMEOUT (the runner's);
 * READ_RATIO (0.2), MAX_QTY (3), DECLINE_RATIO (0.05), UNDELIVERABLE_RATIO
 * (0.05), SETTLE_TIMEOUT ('60s').
 */
import http from 'k6/http';
import { bodyOf, errorText, numberEnv, openModel, outcomeOf, processId, record, targetUrls, urlForVu } from '../../workloads/jepsen.ts';
import { durationMs, settleAndAudit } from './settle.k6.ts';

const urls = targetUrls();
const readRatio = numberEnv('READ_RATIO', 0.2);
const maxQty = numberEnv('MAX_QTY', 3);
const declineRatio = numberEnv('DECLINE_RATIO', 0.05);
const undeliverableRatio = numberEnv('UNDELIVERABLE_RATIO', 0.05);
const settleTimeout = __ENV.SETTLE_TIMEOUT || '60s';
const timeout = __ENV.TIMEOUT || '2s';

export const options = { ...openModel('orders'), setupTimeout: '60s', teardownTimeout: `${durationMs(settleTimeout) / 1000 + 60}s` };

// This VU's orders, for its reads.
const mine: string[] = [];

function place(skus: string[]): void {
  const value = {
    id: `o${__VU}-${__ITER}`,
    sku: skus[Math.floor(Math.random() * skus.length)],
    qty: 1 + Math.floor(Math.random() * maxQty),
    amount: 10 + Math.floor(Math.random() * 90),
    card: Math.random() < declineRatio ? 'declined' : 'ok',
    address: Math.random() < undeliverableRatio ? 'nowhere' : 'home',
  };
  const process = processId();
  record({ process, type: 'invoke', f: 'order', value });
  mine.push(value.id);
  const res = http.post(`${urlForVu(urls)}/orders`, JSON.stringify(value), {
    timeout,
    headers: { 'Content-Type': 'application/json' },
    tags: { name: 'POST /orders' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 409),
  });
  const type = outcomeOf(res);
  const body = bodyOf<{ state?: string; error?: string }>(res);
  record({
    process,
    type,
    f: 'order',
    value,
    status: res.status,
    latencyMs: res.timings.duration,
    ...(body?.state ? { state: body.state } : {}),
    ...(type !== 'ok' ? { error: body?.error ?? errorText(res) } : {}),
  });
}

function readOrder(): void {
  const id = mine[Math.floor(Math.random() * mine.length)];
  const process = processId();
  record({ process, type: 'invoke', f: 'read-order', key: id, value: null });
  const res = http.get(`${urlForVu(urls)}/orders/${id}`, {
    timeout,
    tags: { name: 'GET /orders/:id' },
    responseCallback: http.expectedStatuses({ min: 200, max: 299 }, 404),
  });
  const type = outcomeOf(res, [404]);
  const body = res.status === 200 ? bodyOf<{ state: string; step?: string }>(res) : undefined;
  const common = { process, f: 'read-order', key: id, status: res.status, latencyMs: res.timings.duration };
  if (type === 'ok' && (body || res.status === 404)) record({ ...common, type, value: body?.state ?? null, ...(body?.step ? { step: body.step } : {}) });
  else record({ ...common, type: type === 'ok' ? 'info' : type, value: null, error: errorText(res) });
}

/** The SKUs to order, from the inventory's stock in a first audit (recorded: the state before any order). */
export function setup(): string[] {
  const process = processId();
  record({ process, type: 'invoke', f: 'audit', value: null });
  const res = http.get(`${urls[0]}/audit`, { timeout: '30s' });
  const body = outcomeOf(res) === 'ok' ? bodyOf<{ inventory: { stock: Record<string, number> } }>(res) : undefined;
  if (!body) {
    record({ process, type: 'info', f: 'audit', value: null, error: errorText(res) });
    throw new Error('the first audit failed: no SKU to order');
  }
  record({ process, type: 'ok', f: 'audit', value: body, initial: true });
  return Object.keys(body.inventory.stock);
}

export default function (skus: string[]): void {
  if (mine.length > 0 && Math.random() < readRatio) readOrder();
  else place(skus);
}

export function teardown(): void {
  settleAndAudit(urls[0], durationMs(settleTimeout), timeout);
}
