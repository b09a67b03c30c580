/** The bank's two shards: an account's shard is named by its first letter (`a3` on shard-a, `b0` on shard-b). */
export const shardNames = ['shard-a', 'shard-b'] as const;
export type ShardName = (typeof shardNames)[number];

/** The shard holding `account`; throws for an account of neither. */
export function shardOf(account: string): ShardName {
  if (account.startsWith('a')) return 'shard-a';
  if (account.startsWith('b')) return 'shard-b';
  throw new TransferRefused(`no account ${account}`);
}

/** A transfer as a client asks for it: `id` is its idempotency key. */
export interface Transfer {
  id: string;
  from: string;
  to: string;
  amount: number;
}

/**
 * What a transfer ended as, as the service answers:
 * - `committed` / `completed`: applied on both shards (2PC / a saga or local commits);
 * - `accepted`: debited, the credit guaranteed to follow (the outbox);
 * and, answered as 409 (see {@link TransferRefused}), `rejected` (refused
 * before anything was applied), `aborted` (a 2PC transaction rolled back
 * everywhere) or `compensated` (refused after the debit, which was refunded).
 */
export type TransferOutcome = 'committed' | 'completed' | 'accepted' | 'rejected' | 'aborted' | 'compensated';

/** A transfer's answer: its outcome, and for 2PC the time each phase took. */
export interface TransferResult {
  outcome: TransferOutcome;
  phases?: Record<string, number>;
}

/**
 * A transfer that surely left no net effect, and why: refused for a business
 * reason (insufficient funds, a closed or unknown account: `rejected`),
 * rolled back everywhere (`aborted`), or undone by its compensation
 * (`compensated`). Answered as 409; never retried.
 */
export class TransferRefused extends Error {
  constructor(
    message: string,
    readonly outcome: 'rejected' | 'aborted' | 'compensated' = 'rejected',
  ) {
    super(message);
  }
}

/** One transfer's effects after the fact: each ledger entry's amount (a debit negative, 0 for an entry that blocks a late attempt) and when it was written (ms since the epoch, the database's clock). */
export interface TransferEffects {
  debit?: { amount: number; atMs: number };
  credit?: { amount: number; atMs: number };
  refund?: { amount: number; atMs: number };
}

/** A transaction still in flight: which transfer, at which step, since when (ms since the epoch). */
export interface InFlight {
  id: string;
  step: string;
  sinceMs?: number;
  attempts?: number;
}

/** What every bank pattern offers the service's routes. */
export interface BankPattern {
  /** How its effects become visible: both shards at once (2PC), or one local commit after the other (every other pattern: the window of inconsistency). */
  readonly commits: 'atomic' | 'per-step';
  /** Creates its tables and resolves or resumes whatever a previous incarnation left in flight; starts its background work. */
  start(): Promise<void>;
  transfer(t: Transfer): Promise<TransferResult>;
  /** Every account's balance, read as one consistent cut of both shards (see `readBalances`). */
  balances(): Promise<Record<string, number>>;
  /** Transactions not yet finished (in doubt, mid-saga, undelivered). */
  inFlight(): Promise<InFlight[]>;
  /** The pattern's own record for the audit (2PC's decision log, the saga log), besides the shards' ledgers. */
  log?(): Promise<unknown>;
  stop(): Promise<void>;
}
