import type pg from 'pg';
import { ensureSchema } from '../pg.ts';
import type { Order, OrderState, OrderView } from './order.ts';

/** The order service's own table of orders (in `orders-db`), with the step an order is at while pending. */
export async function prepareOrders(pool: pg.Pool): Promise<void> {
  await ensureSchema(pool, [
    `CREATE TABLE IF NOT EXISTS orders (
       id text PRIMARY KEY, sku text NOT NULL, qty int NOT NULL, amount bigint NOT NULL, card text NOT NULL, address text NOT NULL,
       state text NOT NULL, step text, created_at timestamptz NOT NULL DEFAULT clock_timestamp(), finished_at timestamptz)`,
  ]);
}

/** Inserts `order` as pending at `step`; false if an order of that id exists. */
export async function insertOrder(c: pg.ClientBase, order: Order, step: string): Promise<boolean> {
  const { rowCount } = await c.query(
    `INSERT INTO orders (id, sku, qty, amount, card, address, state, step) VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (id) DO NOTHING`,
    [order.id, order.sku, order.qty, order.amount, order.card, order.address, step],
  );
  return rowCount === 1;
}

/** Moves a pending order to `step`, or ends it in `state`; an order already ended is left as it is. */
export async function advanceOrder(c: pg.ClientBase, id: string, change: { step: string } | { state: Exclude<OrderState, 'pending'> }): Promise<void> {
  if ('step' in change) await c.query("UPDATE orders SET step = $2 WHERE id = $1 AND state = 'pending'", [id, change.step]);
  else await c.query("UPDATE orders SET state = $2, step = NULL, finished_at = clock_timestamp() WHERE id = $1 AND state = 'pending'", [id, change.state]);
}

type Row = { id: string; state: OrderState; step: string | null; created_ms: number; finished_ms: number | null };
const columns = `id, state, step, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms, (extract(epoch FROM finished_at) * 1000)::float8 AS finished_ms`;
const view = (r: Row): OrderView => ({
  id: r.id,
  state: r.state,
  ...(r.step !== null ? { step: r.step } : {}),
  createdAtMs: r.created_ms,
  ...(r.finished_ms !== null ? { finishedAtMs: r.finished_ms } : {}),
});

export async function readOrder(pool: pg.Pool, id: string): Promise<OrderView | undefined> {
  const { rows } = await pool.query<Row>(`SELECT ${columns} FROM orders WHERE id = $1`, [id]);
  return rows[0] && view(rows[0]);
}

export async function readOrders(pool: pg.Pool, which: 'all' | 'pending'): Promise<OrderView[]> {
  const { rows } = await pool.query<Row>(`SELECT ${columns} FROM orders ${which === 'pending' ? "WHERE state = 'pending'" : ''} ORDER BY created_at`);
  return rows.map(view);
}
