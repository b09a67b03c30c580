import type pg from 'pg';
import type { createClient } from 'redis';
import { z } from 'zod';
import { EventBus } from '../event-bus.ts';
import { type Failpoints, failpointsOption } from '../failpoints.ts';
import { retryPolicy } from '../retry.ts';
import { sagaFailpoints } from '../bank/orchestrated-saga.ts';
import { ChoreographedOrders } from './choreographed.ts';
import { OrchestratedOrders } from './orchestrated.ts';
import type { OrderPattern, ParticipantName } from './order.ts';

/** What an order pattern is built from: the order service's own database, the participants' URLs (through its links), Redis for a choreography. */
export interface OrderBackends {
  db: pg.Pool;
  participants: Record<ParticipantName, string>;
  redis?: ReturnType<typeof createClient>;
  failpoints: Failpoints;
}

/** The order saga's event stream. */
export const orderStream = 'order-events';

/** An order as every service of the order saga accepts it. */
export const orderBody = z
  .object({
    id: z.string().min(1).max(200),
    sku: z.string().min(1),
    qty: z.number().int().positive(),
    amount: z.number().int().positive(),
    card: z.string(),
    address: z.string(),
  })
  .strict();

/** The options every order pattern takes: how inventory is seeded, and the retry policy (Temporal's defaults). */
const common = {
  /** SKUs `sku-0`…, each with `initialStock` units: small enough that stock runs out under load, so that overselling would show. */
  skus: z.number().int().positive().max(1000).default(5),
  initialStock: z.number().int().nonnegative().default(100),
  retry: retryPolicy.default(retryPolicy.parse({})),
};

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`this pattern needs ${what} in its topology`);
  return value;
};

/** The order patterns, each once (see `bank/registry.ts` for the shape); `adds.redis`: the choreography's stream. */
export const orderPatterns = {
  'order-saga': {
    description: 'Order, Payment, Inventory, Shipping as services; an orchestrator with a persisted saga log, retries, timeouts, reverse compensations',
    options: z.object({ ...common, failpoints: failpointsOption(sagaFailpoints), stepTimeoutMs: z.number().int().positive().default(2_000) }).strict(),
    failpoints: sagaFailpoints,
    adds: { redis: false },
    create: (b: OrderBackends, o: { retry: z.infer<typeof retryPolicy>; stepTimeoutMs: number }): OrderPattern =>
      new OrchestratedOrders(b.db, b.participants, b.failpoints, o),
  },
  'order-choreography': {
    description: 'the same order flow driven by events on a Redis Stream: each service reacts, emitting through its outbox, consuming idempotently',
    options: z.object({ ...common, failpoints: failpointsOption([]) }).strict(),
    failpoints: [] as const,
    adds: { redis: true },
    create: (b: OrderBackends, o: { retry: z.infer<typeof retryPolicy> }): OrderPattern =>
      new ChoreographedOrders(b.db, new EventBus(need(b.redis, 'redis'), b.db, { stream: orderStream, group: 'orders', consumer: 'orders', retry: o.retry })),
  },
} as const;

export type OrderPatternName = keyof typeof orderPatterns;
