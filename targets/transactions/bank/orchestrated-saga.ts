import type pg from 'pg';
import type { Failpoints } from '../failpoints.ts';
import { inTransaction } from '../pg.ts';
import type { RetryPolicy } from '../retry.ts';
import { type SagaEvent, SagaOrchestrator, StepRefused } from '../saga-orchestrator.ts';
import { type BankPattern, type InFlight, type ShardName, shardOf, type Transfer, type TransferResult, TransferRefused } from './bank.ts';
import { cancelDebit, readBalances, step } from './shard.ts';

/** The orchestrator's failpoints: after a step's outcome is logged, after a compensation is logged. */
export const sagaFailpoints = ['after-step', 'after-compensation'] as const;

/**
 * A transfer as an orchestrated saga: debit the source shard, then credit
 * the destination shard, each a local transaction of its own; if the credit
 * is refused (a closed account), the debit is compensated by a refund. The
 * saga log lives in the orchestrator's own database (`txlog`), so a killed
 * orchestrator resumes every transfer on start. The credit has no
 * compensation, so it is retried until it lands or is refused.
 *
 * Between the two commits the money is in neither account: a reader sees the
 * total short by the amount, for as long as the credit takes — the window of
 * inconsistency the family measures.
 */
export class OrchestratedSagaTransfers implements BankPattern {
  readonly commits = 'per-step';
  private readonly saga: SagaOrchestrator<Transfer>;

  constructor(
    private readonly shards: Record<ShardName, pg.Pool>,
    txlog: pg.Pool,
    failpoints: Failpoints,
    opts: { retry: RetryPolicy; stepTimeoutMs: number },
  ) {
    const refusedAsStep = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (err) {
        throw err instanceof TransferRefused ? new StepRefused(err.message) : err;
      }
    };
    this.saga = new SagaOrchestrator<Transfer>(
      txlog,
      {
        kind: 'transfer',
        steps: [
          {
            name: 'debit',
            run: (t) => refusedAsStep(step(this.shards[shardOf(t.from)], 'debit', t)),
            compensate: async (t) => {
              await inTransaction(this.shards[shardOf(t.from)], (c) => cancelDebit(c, t));
            },
          },
          { name: 'credit', run: (t) => refusedAsStep(step(this.shards[shardOf(t.to)], 'credit', t)) },
        ],
      },
      failpoints,
      opts,
    );
  }

  start(): Promise<void> {
    return this.saga.start();
  }

  async stop(): Promise<void> {
    this.saga.stop();
  }

  async transfer(t: Transfer): Promise<TransferResult> {
    if (shardOf(t.from) === shardOf(t.to)) throw new TransferRefused('a transfer moves money between the two shards');
    const outcome = await this.saga.run(t.id, t);
    if (outcome === 'completed') return { outcome: 'completed' };
    throw new TransferRefused(outcome === 'rejected' ? 'the debit was refused' : 'the credit was refused; the debit was refunded', outcome);
  }

  balances(): Promise<Record<string, number>> {
    return readBalances(this.shards);
  }

  async inFlight(): Promise<InFlight[]> {
    return (await this.saga.inFlight()).map((s) => ({ id: s.id, step: s.step, sinceMs: s.sinceMs, attempts: s.attempts }));
  }

  /** The saga log's event trail. */
  log(): Promise<SagaEvent[]> {
    return this.saga.events();
  }
}
