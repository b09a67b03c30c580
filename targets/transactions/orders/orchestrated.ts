import type pg from 'pg';
import type { Failpoints } from '../failpoints.ts';
import type { RetryPolicy } from '../retry.ts';
import { type SagaEvent, SagaOrchestrator, StepRefused } from '../saga-orchestrator.ts';
import { type Order, type OrderInFlight, type OrderPattern, type OrderState, type OrderView, type ParticipantName, participantNames } from './order.ts';
import { advanceOrder, insertOrder, prepareOrders, readOrder, readOrders } from './orders-table.ts';

/** The saga's steps, one a participant, in order: reserve the stock, charge the card, schedule the shipment. */
const stepOf: Record<ParticipantName, string> = { inventory: 'reserve', payment: 'charge', shipping: 'ship' };

/**
 * The order saga, orchestrated: the order service (`target`) logs the order
 * and its saga in its own database (`orders-db`) in one local transaction,
 * then drives the participants over HTTP — reserve, charge, ship — with the
 * order id as each step's idempotency key, Temporal's retry defaults and a
 * timeout an attempt. A refused step (out of stock, a declined card, an
 * address no carrier serves) is not retried; the steps done before it are
 * compensated in reverse order (cancel, refund, release). A killed
 * orchestrator resumes every saga from its log when it starts again.
 */
export class OrchestratedOrders implements OrderPattern {
  private readonly saga: SagaOrchestrator<Order>;

  constructor(
    private readonly db: pg.Pool,
    participants: Record<ParticipantName, string>,
    failpoints: Failpoints,
    opts: { retry: RetryPolicy; stepTimeoutMs: number },
  ) {
    const call = async (participant: ParticipantName, order: Order, undo: boolean) => {
      const res = await fetch(`${participants[participant]}/orders/${encodeURIComponent(order.id)}${undo ? '/undo' : ''}`, {
        method: 'POST',
        // The order id in the path is the step's idempotency key: each participant keeps one row an order.
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(order),
        signal: AbortSignal.timeout(opts.stepTimeoutMs),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      if (res.status === 409 && !undo) throw new StepRefused(body.error ?? `${participant} refused`);
      if (!res.ok) throw new Error(`${participant} answered ${res.status}: ${body.error ?? ''}`);
    };
    this.saga = new SagaOrchestrator<Order>(
      db,
      {
        kind: 'order',
        steps: participantNames.map((p) => ({ name: stepOf[p], run: (o: Order) => call(p, o, false), compensate: (o: Order) => call(p, o, true) })),
        onBegin: async (c, _id, order) => {
          await insertOrder(c, order, stepOf.inventory);
        },
        onFinish: (c, id, outcome) => advanceOrder(c, id, { state: outcome }),
      },
      failpoints,
      opts,
    );
  }

  async start(): Promise<void> {
    await prepareOrders(this.db);
    await this.saga.start();
  }

  async stop(): Promise<void> {
    this.saga.stop();
  }

  place(order: Order): Promise<OrderState> {
    return this.saga.run(order.id, order);
  }

  async get(id: string): Promise<OrderView | undefined> {
    const order = await readOrder(this.db, id);
    if (order?.state !== 'pending') return order;
    const live = (await this.saga.inFlight()).find((s) => s.id === id);
    return { ...order, ...(live ? { step: live.step } : {}) };
  }

  inFlight(): Promise<OrderInFlight[]> {
    return this.saga.inFlight();
  }

  orders(): Promise<OrderView[]> {
    return readOrders(this.db, 'all');
  }

  log(): Promise<SagaEvent[]> {
    return this.saga.events();
  }
}
