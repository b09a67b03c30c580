import type pg from 'pg';
import type { EventBus } from '../event-bus.ts';
import { inTransaction } from '../pg.ts';
import { within } from '../retry.ts';
import type { Order, OrderInFlight, OrderPattern, OrderState, OrderView, ParticipantName } from './order.ts';
import { advanceOrder, insertOrder, prepareOrders, readOrder, readOrders } from './orders-table.ts';

/** What each event means for the order: the step it moves to, or the state it ends in. */
const progress: Record<string, { step: string } | { state: Exclude<OrderState, 'pending'> }> = {
  'stock-reserved': { step: 'charge' },
  'payment-charged': { step: 'ship' },
  'shipment-scheduled': { state: 'completed' },
  'stock-rejected': { state: 'rejected' },
  'payment-declined': { step: 'compensate reserve' },
  'shipment-rejected': { step: 'compensate charge' },
  'payment-refunded': { step: 'compensate reserve' },
  'stock-released': { state: 'compensated' },
};

/**
 * The order saga, choreographed: the order service writes the order and
 * `order-created` in one local transaction (its outbox); inventory reacts by
 * reserving (`stock-reserved` or `stock-rejected`), payment by charging
 * (`payment-charged` or `payment-declined`), shipping by scheduling
 * (`shipment-scheduled` or `shipment-rejected`); a refusal travels back as
 * compensations — payment refunds on `shipment-rejected`, inventory releases
 * on `payment-declined` or `payment-refunded`. The order service follows
 * every event to keep the order's step and end it. No one drives the saga:
 * each service resumes its part from the stream when it restarts.
 */
export class ChoreographedOrders implements OrderPattern {
  private readonly waiting = new Map<string, (state: OrderState) => void>();

  constructor(
    private readonly db: pg.Pool,
    private readonly bus: EventBus,
  ) {}

  async start(): Promise<void> {
    await prepareOrders(this.db);
    await this.bus.start(async (e, c) => {
      const change = progress[e.type];
      if (!change) return undefined;
      await advanceOrder(c!, String(e.data.id), change);
      if ('state' in change) this.waiting.get(String(e.data.id))?.(change.state);
      return undefined;
    });
  }

  stop(): Promise<void> {
    return this.bus.stop();
  }

  async place(order: Order): Promise<OrderState> {
    const ended = new Promise<OrderState>((resolve) => this.waiting.set(order.id, resolve));
    try {
      const fresh = await inTransaction(this.db, async (c) => {
        if (!(await insertOrder(c, order, 'reserve'))) return false;
        await this.bus.emitIn(c, [{ id: `${order.id}:order-created`, type: 'order-created', data: { ...order } }]);
        return true;
      });
      if (!fresh) {
        const existing = await readOrder(this.db, order.id);
        if (existing && existing.state !== 'pending') return existing.state;
      }
      this.bus.wakeRelay();
      // Past the HTTP deadline no one listens; stop waiting a little after it.
      return await within(ended, 10_000, `order ${order.id}`);
    } finally {
      this.waiting.delete(order.id);
    }
  }

  get(id: string): Promise<OrderView | undefined> {
    return readOrder(this.db, id);
  }

  /** Pending orders with their step, and the events the participants have not handled yet. */
  async inFlight(): Promise<OrderInFlight[]> {
    const out: OrderInFlight[] = (await readOrders(this.db, 'pending')).map((o) => ({
      id: o.id,
      state: 'pending',
      step: o.step ?? '',
      sinceMs: o.createdAtMs,
    }));
    const { unpublished } = await this.bus.backlog();
    if (unpublished > 0) out.push({ id: 'outbox:orders-db', state: 'pending', step: `${unpublished} events not yet published` });
    for (const g of await this.bus.groups())
      if (g.group !== 'orders' && (g.pending > 0 || g.lag !== 0))
        out.push({ id: `events:${g.group as ParticipantName}`, state: 'pending', step: `${g.pending} being handled, ${g.lag} not yet read` });
    return out;
  }

  orders(): Promise<OrderView[]> {
    return readOrders(this.db, 'all');
  }
}
