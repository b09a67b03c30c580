import type pg from 'pg';
import type { Failpoints } from '../failpoints.ts';
import { inTransaction } from '../pg.ts';
import { type BankPattern, type InFlight, type ShardName, shardOf, type Transfer, type TransferResult, TransferRefused } from './bank.ts';
import { cancelDebit, readBalances, step } from './shard.ts';

/** Its failpoint: between the debit's commit and the credit. */
export const localCommitsFailpoints = ['between-commits'] as const;

/**
 * The baseline nothing protects: the debit commits on the source shard, then
 * the credit on the destination shard, and nothing remembers that the second
 * is owed. A refused credit is refunded on the spot; a crash, a timeout or a
 * partition between the two commits loses the money for good. It is what 2PC
 * is measured against (the same two local commits, without PREPARE or a
 * log) and what the atomicity check must catch.
 */
export class LocalCommits implements BankPattern {
  readonly commits = 'per-step';
  constructor(
    private readonly shards: Record<ShardName, pg.Pool>,
    private readonly failpoints: Failpoints,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async transfer(t: Transfer): Promise<TransferResult> {
    if (shardOf(t.from) === shardOf(t.to)) throw new TransferRefused('a transfer moves money between the two shards');
    await step(this.shards[shardOf(t.from)], 'debit', t);
    await this.failpoints.pass('between-commits');
    try {
      await step(this.shards[shardOf(t.to)], 'credit', t);
    } catch (err) {
      if (!(err instanceof TransferRefused)) throw err;
      await inTransaction(this.shards[shardOf(t.from)], (c) => cancelDebit(c, t));
      throw new TransferRefused(`${err.message}; the debit was refunded`, 'compensated');
    }
    return { outcome: 'completed' };
  }

  balances(): Promise<Record<string, number>> {
    return readBalances(this.shards);
  }

  async inFlight(): Promise<InFlight[]> {
    return [];
  }
}
