import type pg from 'pg';
import type { Failpoints } from '../failpoints.ts';
import { inTransaction } from '../pg.ts';
import { backoffMs, type RetryPolicy } from '../retry.ts';
import { type BankPattern, type InFlight, type ShardName, shardNames, shardOf, type Transfer, type TransferResult, TransferRefused } from './bank.ts';
import { cancelDebit, debit, readBalances, step } from './shard.ts';

/** Its failpoint: after the debit and its outbox row committed, before the relay is woken. */
export const outboxFailpoints = ['after-debit'] as const;

interface OutboxRow {
  transfer_id: string;
  from_account: string;
  to_account: string;
  amount: string;
  attempts: number;
}

/**
 * The transactional outbox with idempotent retries — the simple alternative
 * to reach for first: the debit and an outbox row commit in one local
 * transaction on the source shard, and the request is answered then
 * (`accepted`). A relay in the same service delivers each outbox row's
 * credit to the destination shard, with the transfer's id as the idempotency
 * key (the ledger's primary key), retrying with exponential backoff until it
 * lands, then marks the row delivered. A credit refused for good (a closed
 * account) returns the money to the sender, in one local transaction with
 * the row's delivery. The outbox lives in the shards themselves, so a killed
 * service loses nothing: its relay picks the rows up when it starts again.
 */
export class OutboxTransfers implements BankPattern {
  readonly commits = 'per-step';
  private timer: NodeJS.Timeout | undefined;
  private relaying: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly shards: Record<ShardName, pg.Pool>,
    private readonly failpoints: Failpoints,
    private readonly opts: { retry: RetryPolicy; relayEveryMs: number },
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.wake(), this.opts.relayEveryMs);
    this.wake();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.relaying;
  }

  async transfer(t: Transfer): Promise<TransferResult> {
    if (shardOf(t.from) === shardOf(t.to)) throw new TransferRefused('a transfer moves money between the two shards');
    await inTransaction(this.shards[shardOf(t.from)], async (c) => {
      if ((await debit(c, t.id, t.from, t.amount)) === 'already-applied') return;
      await c.query('INSERT INTO outbox (transfer_id, from_account, to_account, amount) VALUES ($1, $2, $3, $4)', [t.id, t.from, t.to, t.amount]);
    });
    await this.failpoints.pass('after-debit');
    this.wake();
    return { outcome: 'accepted' };
  }

  /** Runs the relay now, or once more right after the pass under way. */
  private wake(): void {
    if (this.relaying) {
      this.again = true;
      return;
    }
    this.relaying = this.relay()
      .catch((err: Error) => console.error(`relay: ${err.message}`))
      .finally(() => {
        this.relaying = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** One pass over each shard's due outbox rows, delivering them concurrently. */
  private async relay(): Promise<void> {
    await Promise.all(
      shardNames.map(async (shard) => {
        const { rows } = await this.shards[shard].query<OutboxRow>(
          `SELECT transfer_id, from_account, to_account, amount, attempts FROM outbox
           WHERE delivered_at IS NULL AND next_attempt_at <= clock_timestamp() ORDER BY created_at LIMIT 200`,
        );
        await Promise.all(rows.map((row) => this.deliver(shard, row)));
      }),
    );
  }

  private async deliver(shard: ShardName, row: OutboxRow): Promise<void> {
    const t: Transfer = { id: row.transfer_id, from: row.from_account, to: row.to_account, amount: Number(row.amount) };
    const source = this.shards[shard];
    try {
      await step(this.shards[shardOf(t.to)], 'credit', t);
      await source.query("UPDATE outbox SET delivered_at = clock_timestamp(), outcome = 'credited' WHERE transfer_id = $1", [t.id]);
    } catch (err) {
      if (err instanceof TransferRefused) {
        await inTransaction(source, async (c) => {
          await cancelDebit(c, t);
          await c.query("UPDATE outbox SET delivered_at = clock_timestamp(), outcome = 'returned' WHERE transfer_id = $1", [t.id]);
        });
        return;
      }
      const attempts = row.attempts + 1;
      console.error(`credit of ${t.id}, attempt ${attempts}: ${(err as Error).message}`);
      await source
        .query("UPDATE outbox SET attempts = $2, next_attempt_at = clock_timestamp() + $3 * interval '1 millisecond' WHERE transfer_id = $1", [
          t.id,
          attempts,
          backoffMs(this.opts.retry, attempts),
        ])
        .catch(() => undefined);
    }
  }

  balances(): Promise<Record<string, number>> {
    return readBalances(this.shards);
  }

  async inFlight(): Promise<InFlight[]> {
    const out: InFlight[] = [];
    for (const shard of shardNames) {
      const { rows } = await this.shards[shard].query<{ transfer_id: string; attempts: number; since_ms: number }>(
        'SELECT transfer_id, attempts, (extract(epoch FROM created_at) * 1000)::float8 AS since_ms FROM outbox WHERE delivered_at IS NULL',
      );
      for (const r of rows) out.push({ id: r.transfer_id, step: 'credit', attempts: r.attempts, sinceMs: r.since_ms });
    }
    return out;
  }
}
