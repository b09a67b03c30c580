import type pg from 'pg';
import { ensureSchema, inTransaction } from '../pg.ts';
import { type ShardName, shardNames, type Transfer, type TransferEffects, TransferRefused } from './bank.ts';

/** The accounts a shard is seeded with: `<letter>0` … `<letter>{n−1}` open with `initialBalance`, and `<letter>-closed`, closed, at 0. */
export interface BankSeed {
  accountsPerShard: number;
  initialBalance: number;
}

/**
 * Every shard holds its accounts and a ledger: one row a transfer and kind
 * (`debit`, `credit`, `refund`), written in the same local transaction as the
 * balance change it records. The primary key makes every step idempotent (a
 * retried credit finds its row and changes nothing), and a row of amount 0
 * marks a step refused or cancelled, so that an attempt arriving late — a
 * retry still on the wire, a request that outlived its timeout — finds the
 * row and cannot apply after the saga gave up on it.
 */
export async function prepareShard(pool: pg.Pool, shard: ShardName, seed: BankSeed): Promise<void> {
  const letter = shard.at(-1)!;
  await ensureSchema(pool, [
    'CREATE TABLE IF NOT EXISTS accounts (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0), open boolean NOT NULL)',
    `CREATE TABLE IF NOT EXISTS ledger (
       transfer_id text NOT NULL, kind text NOT NULL CHECK (kind IN ('debit', 'credit', 'refund')),
       account text NOT NULL, amount bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(),
       PRIMARY KEY (transfer_id, kind))`,
    `CREATE TABLE IF NOT EXISTS outbox (
       transfer_id text PRIMARY KEY, from_account text NOT NULL, to_account text NOT NULL, amount bigint NOT NULL,
       created_at timestamptz NOT NULL DEFAULT clock_timestamp(), attempts int NOT NULL DEFAULT 0,
       next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(), delivered_at timestamptz, outcome text)`,
    // Seeds an empty table only, never touching a row: after a crash an
    // account row may be locked by a prepared transaction that only the
    // coordinator's recovery can release, and an INSERT … ON CONFLICT would
    // wait on it.
    `INSERT INTO accounts (id, balance, open)
     SELECT * FROM (SELECT '${letter}' || i, ${Number(seed.initialBalance)}::bigint, true FROM generate_series(0, ${Number(seed.accountsPerShard)} - 1) AS i
                    UNION ALL SELECT '${letter}-closed', 0, false) AS seed
     WHERE NOT EXISTS (SELECT 1 FROM accounts)`,
  ]);
}

export type StepResult = 'applied' | 'already-applied';

/**
 * Takes `amount` from `account` for transfer `id` on an open transaction:
 * `applied`, or `already-applied` when its ledger row exists with the
 * amount. Throws `TransferRefused` for insufficient funds, a closed or
 * unknown account, or a debit cancelled before it arrived; the caller then
 * rolls back. Lock order: the ledger row, then the account row.
 */
export async function debit(c: pg.ClientBase, id: string, account: string, amount: number): Promise<StepResult> {
  return move(c, id, 'debit', account, -amount);
}

/** Adds `amount` to `account` for transfer `id`; as {@link debit}, refused for a closed or unknown account or a credit cancelled before it arrived. */
export async function credit(c: pg.ClientBase, id: string, account: string, amount: number): Promise<StepResult> {
  return move(c, id, 'credit', account, amount);
}

async function move(c: pg.ClientBase, id: string, kind: 'debit' | 'credit', account: string, delta: number): Promise<StepResult> {
  const inserted = await c.query('INSERT INTO ledger (transfer_id, kind, account, amount) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
    id,
    kind,
    account,
    delta,
  ]);
  if (inserted.rowCount === 0) {
    const { rows } = await c.query<{ amount: string }>('SELECT amount FROM ledger WHERE transfer_id = $1 AND kind = $2', [id, kind]);
    if (Number(rows[0]?.amount) === delta) return 'already-applied';
    throw new TransferRefused(`${kind} of transfer ${id} was cancelled before it arrived`);
  }
  const updated = await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1 AND open AND balance + $2 >= 0', [account, delta]);
  if (updated.rowCount === 1) return 'applied';
  const { rows } = await c.query<{ open: boolean }>('SELECT open FROM accounts WHERE id = $1', [account]);
  throw new TransferRefused(rows.length === 0 ? `no account ${account}` : rows[0].open ? `insufficient funds in ${account}` : `account ${account} is closed`);
}

/**
 * One saga step in its own local transaction, for patterns whose steps
 * commit one by one: applied or already applied, or — when refused — a
 * ledger row of amount 0 written in its place, so no later attempt of the
 * same step can apply (and `TransferRefused` thrown). If another attempt
 * applied the step in between, that counts as applied.
 */
export async function step(pool: pg.Pool, kind: 'debit' | 'credit', t: Transfer): Promise<StepResult> {
  const account = kind === 'debit' ? t.from : t.to;
  try {
    return await inTransaction(pool, (c) => (kind === 'debit' ? debit(c, t.id, account, t.amount) : credit(c, t.id, account, t.amount)));
  } catch (err) {
    if (!(err instanceof TransferRefused)) throw err;
    const blocked = await pool.query('INSERT INTO ledger (transfer_id, kind, account, amount) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING', [
      t.id,
      kind,
      account,
    ]);
    if (blocked.rowCount === 0) {
      const { rows } = await pool.query<{ amount: string }>('SELECT amount FROM ledger WHERE transfer_id = $1 AND kind = $2', [t.id, kind]);
      if (Number(rows[0]?.amount) !== 0) return 'already-applied';
    }
    throw err;
  }
}

/**
 * The compensation of a debit, idempotent, in one local transaction on the
 * source shard: when the debit was applied, a refund row and the money back
 * (once); when it never arrived, a debit row of amount 0 so that it never
 * will. Returns what it did.
 */
export async function cancelDebit(c: pg.ClientBase, t: Transfer): Promise<'refunded' | 'blocked' | 'already-cancelled'> {
  const blocked = await c.query("INSERT INTO ledger (transfer_id, kind, account, amount) VALUES ($1, 'debit', $2, 0) ON CONFLICT DO NOTHING", [t.id, t.from]);
  if (blocked.rowCount === 1) return 'blocked';
  const { rows } = await c.query<{ amount: string }>("SELECT amount FROM ledger WHERE transfer_id = $1 AND kind = 'debit' FOR UPDATE", [t.id]);
  const refund = -Number(rows[0].amount);
  const inserted = await c.query("INSERT INTO ledger (transfer_id, kind, account, amount) VALUES ($1, 'refund', $2, $3) ON CONFLICT DO NOTHING", [
    t.id,
    t.from,
    refund,
  ]);
  if (inserted.rowCount === 0) return 'already-cancelled';
  if (refund > 0) await c.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', [t.from, refund]);
  return refund > 0 ? 'refunded' : 'already-cancelled';
}

/**
 * Every account of both shards as one consistent cut: a transaction on each
 * shard, opened in shard order, each taking a share lock on all its rows
 * (`FOR SHARE`, which in READ COMMITTED reads the newest committed version),
 * both held until both are read. A 2PC transfer holds its rows' locks from
 * its work phase until COMMIT PREPARED on each shard, so the read waits for
 * it on each shard and sees it everywhere or nowhere; transfers lock shard-a
 * before shard-b as this read does, so the two never wait on each other in a
 * circle. A saga's committed steps are visible to it as they are to anyone.
 */
export async function readBalances(pools: Record<ShardName, pg.Pool>): Promise<Record<string, number>> {
  const clients: pg.PoolClient[] = [];
  const balances: Record<string, number> = {};
  let failed: Error | undefined;
  try {
    for (const shard of shardNames) {
      const c = await pools[shard].connect();
      clients.push(c);
      await c.query('BEGIN');
      const { rows } = await c.query<{ id: string; balance: string }>('SELECT id, balance FROM accounts ORDER BY id FOR SHARE');
      for (const row of rows) balances[row.id] = Number(row.balance);
    }
    for (const c of clients) await c.query('COMMIT');
    return balances;
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    for (const c of clients) {
      if (failed) await c.query('ROLLBACK').catch(() => undefined);
      c.release(failed);
    }
  }
}

/** Every transfer's ledger rows on both shards, merged by transfer: what the audit returns. */
export async function readEffects(pools: Record<ShardName, pg.Pool>): Promise<Record<string, TransferEffects>> {
  const effects: Record<string, TransferEffects> = {};
  for (const shard of shardNames) {
    const { rows } = await pools[shard].query<{ transfer_id: string; kind: 'debit' | 'credit' | 'refund'; amount: string; at_ms: string }>(
      'SELECT transfer_id, kind, amount, (extract(epoch FROM at) * 1000)::float8 AS at_ms FROM ledger',
    );
    for (const row of rows) (effects[row.transfer_id] ??= {})[row.kind] = { amount: Number(row.amount), atMs: Number(row.at_ms) };
  }
  return effects;
}
