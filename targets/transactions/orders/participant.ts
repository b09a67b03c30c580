import type pg from 'pg';
import type { BusEvent } from '../event-bus.ts';
import { ensureSchema } from '../pg.ts';
import type { Order, ParticipantName } from './order.ts';

/** What one participant's step did: applied (now or before), or refused with a reason — surely no effect, ever. */
export type StepAnswer = { applied: true } | { applied: false; reason: string };

/** A participant's record of one order, for the audit (`atMs`, `undoneAtMs`: ms since the epoch). */
export interface ParticipantRecord {
  orderId: string;
  /** The applied state (`reserved`, `charged`, `scheduled`), the undone one (`released`, `refunded`, `cancelled`), or a refusal (`refused`, or `voided`: cancelled before it arrived). */
  state: string;
  sku?: string;
  qty?: number;
  amount?: number;
  /** How many requests to apply the step arrived (retries, copies): one effect however many. */
  attempts: number;
  atMs: number;
  undoneAtMs?: number;
}

/** How one participant differs from the others: its words, its business rule, its side effect. */
interface Spec {
  table: string;
  applied: string;
  undone: string;
  /** A business refusal known from the order alone (a declined card), else undefined. */
  refuse(order: Order): string | undefined;
  /** The side effect of applying (inventory: take the stock), in the step's transaction; a reason when it cannot. */
  effect?(c: pg.ClientBase, order: Order): Promise<string | undefined>;
  /** Undoing the side effect (inventory: put the stock back). */
  undoEffect?(c: pg.ClientBase, row: { sku: string; qty: number }): Promise<void>;
  /** Choreography: the event that makes it apply, the events it answers with, the events that make it undo. */
  on: string;
  emits: { applied: string; refused: string };
  undoOn: readonly string[];
  emitsUndone: string;
}

const specs: Record<ParticipantName, Spec> = {
  inventory: {
    table: 'reservations',
    applied: 'reserved',
    undone: 'released',
    refuse: () => undefined,
    effect: async (c, o) => {
      const taken = await c.query('UPDATE stock SET available = available - $2 WHERE sku = $1 AND available >= $2', [o.sku, o.qty]);
      return taken.rowCount === 1 ? undefined : `${o.sku} is out of stock`;
    },
    undoEffect: async (c, row) => {
      await c.query('UPDATE stock SET available = available + $2 WHERE sku = $1', [row.sku, row.qty]);
    },
    on: 'order-created',
    emits: { applied: 'stock-reserved', refused: 'stock-rejected' },
    undoOn: ['payment-declined', 'payment-refunded'],
    emitsUndone: 'stock-released',
  },
  payment: {
    table: 'payments',
    applied: 'charged',
    undone: 'refunded',
    refuse: (o) => (o.card === 'declined' ? 'the card was declined' : undefined),
    on: 'stock-reserved',
    emits: { applied: 'payment-charged', refused: 'payment-declined' },
    undoOn: ['shipment-rejected'],
    emitsUndone: 'payment-refunded',
  },
  shipping: {
    table: 'shipments',
    applied: 'scheduled',
    undone: 'cancelled',
    refuse: (o) => (o.address === 'nowhere' ? 'no carrier delivers to that address' : undefined),
    on: 'payment-charged',
    emits: { applied: 'shipment-scheduled', refused: 'shipment-rejected' },
    undoOn: [],
    emitsUndone: 'shipment-cancelled',
  },
};

/**
 * One participant of the order saga — inventory, payment or shipping — on
 * its own database: one row an order, keyed by the order's id, so every step
 * is idempotent (the order id is the idempotency key), and a refusal or a
 * cancellation that arrives before the step leaves a row that refuses the
 * step forever (a late retry cannot charge an order already given up on).
 * Inventory also keeps the stock, which a CHECK keeps from going below 0.
 * Each method runs in the caller's transaction.
 */
export class Participant {
  private readonly spec: Spec;

  constructor(readonly name: ParticipantName) {
    this.spec = specs[name];
  }

  /** Creates the tables (and, for inventory, seeds `sku-0`… with `initialStock`). */
  async prepare(pool: pg.Pool, seed: { skus: number; initialStock: number }): Promise<void> {
    const stock = [
      'CREATE TABLE IF NOT EXISTS stock (sku text PRIMARY KEY, available int NOT NULL CHECK (available >= 0))',
      // An empty table only: a restarted service leaves the stock as it is, and touches no row a transaction holds.
      `INSERT INTO stock (sku, available) SELECT 'sku-' || i, ${Number(seed.initialStock)} FROM generate_series(0, ${Number(seed.skus)} - 1) AS i
       WHERE NOT EXISTS (SELECT 1 FROM stock)`,
    ];
    await ensureSchema(pool, [
      `CREATE TABLE IF NOT EXISTS ${this.spec.table} (
         order_id text PRIMARY KEY, state text NOT NULL, sku text NOT NULL, qty int NOT NULL, amount bigint NOT NULL,
         attempts int NOT NULL DEFAULT 1, at timestamptz NOT NULL DEFAULT clock_timestamp(), undone_at timestamptz)`,
      ...(this.name === 'inventory' ? stock : []),
    ]);
  }

  /** Applies its step of `order` (reserve, charge, schedule), or says why it never will. */
  async apply(c: pg.ClientBase, order: Order): Promise<StepAnswer> {
    const { spec } = this;
    const insert = (state: string) =>
      c.query(`INSERT INTO ${spec.table} (order_id, state, sku, qty, amount) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING`, [
        order.id,
        state,
        order.sku,
        order.qty,
        order.amount,
      ]);
    const reason = spec.refuse(order);
    if (reason === undefined) {
      await c.query('SAVEPOINT apply');
      if ((await insert(spec.applied)).rowCount === 1) {
        const short = await spec.effect?.(c, order);
        if (short === undefined) return { applied: true };
        await c.query('ROLLBACK TO SAVEPOINT apply');
        return this.refused(c, order, short, insert);
      }
    }
    return reason === undefined ? this.existing(c, order.id) : this.refused(c, order, reason, insert);
  }

  private async refused(c: pg.ClientBase, order: Order, reason: string, insert: (state: string) => Promise<pg.QueryResult>): Promise<StepAnswer> {
    if ((await insert('refused')).rowCount === 1) return { applied: false, reason };
    return this.existing(c, order.id);
  }

  /** The answer a step already on record gives: applied if it was (even undone since: a copy of the request changes nothing), else refused. */
  private async existing(c: pg.ClientBase, orderId: string): Promise<StepAnswer> {
    const { rows } = await c.query<{ state: string }>(`UPDATE ${this.spec.table} SET attempts = attempts + 1 WHERE order_id = $1 RETURNING state`, [orderId]);
    const state = rows[0]?.state;
    if (state === this.spec.applied) return { applied: true };
    return { applied: false, reason: `order ${orderId} was ${state} here before` };
  }

  /** Undoes its step of order `id` (release, refund, cancel) when it was applied; when it never arrived, makes sure it never will. Idempotent. */
  async undo(c: pg.ClientBase, order: Order): Promise<'undone' | 'voided' | 'nothing-to-undo'> {
    const { spec } = this;
    const voided = await c.query(
      `INSERT INTO ${spec.table} (order_id, state, sku, qty, amount) VALUES ($1, 'voided', $2, 0, 0) ON CONFLICT (order_id) DO NOTHING`,
      [order.id, order.sku],
    );
    if (voided.rowCount === 1) return 'voided';
    const { rows } = await c.query<{ state: string; sku: string; qty: number }>(
      `UPDATE ${spec.table} SET state = $2, undone_at = clock_timestamp() WHERE order_id = $1 AND state = $3 RETURNING sku, qty`,
      [order.id, spec.undone, spec.applied],
    );
    if (rows.length === 0) return 'nothing-to-undo';
    await spec.undoEffect?.(c, rows[0]);
    return 'undone';
  }

  /**
   * Its part in the choreography: apply on its trigger event, undo on its
   * compensation events, answering each with the event that says what it did.
   */
  async react(e: BusEvent, c: pg.ClientBase): Promise<BusEvent[]> {
    const { spec } = this;
    const order = e.data as unknown as Order;
    const event = (type: string, extra: Record<string, unknown> = {}): BusEvent => ({ id: `${order.id}:${type}`, type, data: { ...order, ...extra } });
    if (e.type === spec.on) {
      const answer = await this.apply(c, order);
      return [answer.applied ? event(spec.emits.applied) : event(spec.emits.refused, { reason: answer.reason })];
    }
    if (spec.undoOn.includes(e.type)) {
      await this.undo(c, order);
      return [event(spec.emitsUndone)];
    }
    return [];
  }

  /** Every order's record here (and for inventory, the stock left by sku). */
  async audit(pool: pg.Pool): Promise<{ records: ParticipantRecord[]; stock?: Record<string, number> }> {
    const { rows } = await pool.query<{
      order_id: string;
      state: string;
      sku: string;
      qty: number;
      amount: string;
      attempts: number;
      at_ms: number;
      undone_ms: number | null;
    }>(
      `SELECT order_id, state, sku, qty, amount, attempts, (extract(epoch FROM at) * 1000)::float8 AS at_ms,
              (extract(epoch FROM undone_at) * 1000)::float8 AS undone_ms FROM ${this.spec.table}`,
    );
    const records = rows.map((r) => ({
      orderId: r.order_id,
      state: r.state,
      sku: r.sku,
      qty: r.qty,
      amount: Number(r.amount),
      attempts: r.attempts,
      atMs: r.at_ms,
      ...(r.undone_ms !== null ? { undoneAtMs: r.undone_ms } : {}),
    }));
    if (this.name !== 'inventory') return { records };
    const stock = await pool.query<{ sku: string; available: number }>('SELECT sku, available FROM stock ORDER BY sku');
    return { records, stock: Object.fromEntries(stock.rows.map((r) => [r.sku, r.available])) };
  }
}
