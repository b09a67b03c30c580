import type pg from 'pg';
import type { createClient } from 'redis';
import { z } from 'zod';
import { EventBus } from '../event-bus.ts';
import { type Failpoints, failpointsOption } from '../failpoints.ts';
import { retryPolicy } from '../retry.ts';
import type { BankPattern, ShardName } from './bank.ts';
import { ChoreographedSagaTransfers } from './choreographed-saga.ts';
import { LocalCommits, localCommitsFailpoints } from './local-commits.ts';
import { OrchestratedSagaTransfers, sagaFailpoints } from './orchestrated-saga.ts';
import { OutboxTransfers, outboxFailpoints } from './outbox.ts';
import { TwoPhaseCommit, twoPhaseFailpoints } from './two-phase-commit.ts';

/** What a bank pattern is built from: the shards, and — when its topology has them — the coordinator's log database and Redis. */
export interface BankBackends {
  shards: Record<ShardName, pg.Pool>;
  txlog?: pg.Pool;
  redis?: ReturnType<typeof createClient>;
  failpoints: Failpoints;
  /** The service's component name (the 2PC coordinator's id in its gids). */
  name: string;
}

/** The options every bank pattern takes: how its shards are seeded. */
const seed = {
  /** Open accounts on each shard (`a0`…, `b0`…), besides one closed account a shard (`a-closed`, `b-closed`). */
  accountsPerShard: z.number().int().positive().max(1000).default(10),
  initialBalance: z.number().int().positive().default(1_000),
};

/** The events' stream and the ledger services' consumer groups of the choreographed saga. */
export const bankStream = 'bank-events';
export const ledgerServices = { 'shard-a': 'ledger-a', 'shard-b': 'ledger-b' } as const satisfies Record<ShardName, string>;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`this pattern needs ${what} in its topology`);
  return value;
};

/**
 * The bank patterns, each once: its options (defaults filled in, unknown
 * ones refused), its failpoints, what its topology adds to the two shards
 * (`txlog`: the coordinator's or orchestrator's own database; `ledgers`:
 * Redis and a ledger service a shard, for the choreography), and how the
 * service builds it.
 */
export const bankPatterns = {
  'two-phase-commit': {
    description:
      'a coordinator with a durable decision log; PREPARE TRANSACTION / COMMIT PREPARED on both shards; presumed abort; recovery from pg_prepared_xacts',
    options: z.object({ ...seed, failpoints: failpointsOption(twoPhaseFailpoints), resolveEveryMs: z.number().int().positive().default(1_000) }).strict(),
    failpoints: twoPhaseFailpoints,
    adds: { txlog: true, ledgers: false },
    create: (b: BankBackends, o: { resolveEveryMs: number }): BankPattern =>
      new TwoPhaseCommit(b.shards, need(b.txlog, 'txlog'), b.failpoints, { coordinator: b.name, resolveEveryMs: o.resolveEveryMs }),
  },
  'orchestrated-saga': {
    description: 'debit, then credit, each a local commit, driven by an orchestrator with a persisted saga log; a refund compensates a refused credit',
    options: z
      .object({
        ...seed,
        failpoints: failpointsOption(sagaFailpoints),
        retry: retryPolicy.default(retryPolicy.parse({})),
        stepTimeoutMs: z.number().int().positive().default(2_000),
      })
      .strict(),
    failpoints: sagaFailpoints,
    adds: { txlog: true, ledgers: false },
    create: (b: BankBackends, o: { retry: z.infer<typeof retryPolicy>; stepTimeoutMs: number }): BankPattern =>
      new OrchestratedSagaTransfers(b.shards, need(b.txlog, 'txlog'), b.failpoints, o),
  },
  'choreographed-saga': {
    description: 'the same steps driven by events on a Redis Stream: each shard’s ledger service reacts, emitting through an outbox, consuming idempotently',
    options: z.object({ ...seed, failpoints: failpointsOption([]), retry: retryPolicy.default(retryPolicy.parse({})) }).strict(),
    failpoints: [] as const,
    adds: { txlog: false, ledgers: true },
    create: (b: BankBackends, o: { retry: z.infer<typeof retryPolicy> }): BankPattern =>
      new ChoreographedSagaTransfers(
        b.shards,
        new EventBus(need(b.redis, 'redis'), undefined, { stream: bankStream, group: 'api', consumer: b.name, retry: o.retry }),
        Object.values(ledgerServices),
      ),
  },
  outbox: {
    description: 'the debit and an outbox row in one local commit; a relay delivers the credit with retries and an idempotency key until it lands',
    options: z
      .object({
        ...seed,
        failpoints: failpointsOption(outboxFailpoints),
        retry: retryPolicy.default(retryPolicy.parse({})),
        relayEveryMs: z.number().int().positive().default(100),
      })
      .strict(),
    failpoints: outboxFailpoints,
    adds: { txlog: false, ledgers: false },
    create: (b: BankBackends, o: { retry: z.infer<typeof retryPolicy>; relayEveryMs: number }): BankPattern => new OutboxTransfers(b.shards, b.failpoints, o),
  },
  'local-commits': {
    description: 'the unprotected baseline: the debit commits, then the credit; nothing remembers the credit is owed',
    options: z.object({ ...seed, failpoints: failpointsOption(localCommitsFailpoints) }).strict(),
    failpoints: localCommitsFailpoints,
    adds: { txlog: false, ledgers: false },
    create: (b: BankBackends): BankPattern => new LocalCommits(b.shards, b.failpoints),
  },
} as const;

export type BankPatternName = keyof typeof bankPatterns;

/** The seed options every bank pattern's options carry. */
export type BankSeedOptions = z.infer<z.ZodObject<typeof seed>>;
