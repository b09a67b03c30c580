import type pg from 'pg';
import type { Failpoints } from '../failpoints.ts';
import { ensureSchema } from '../pg.ts';
import { type BankPattern, type InFlight, type ShardName, shardNames, shardOf, type Transfer, type TransferResult, TransferRefused } from './bank.ts';
import { credit, debit, readBalances } from './shard.ts';

/** The coordinator's failpoints: after every participant PREPAREd and before the decision is logged; after the commit decision is logged and before COMMIT PREPARED. */
export const twoPhaseFailpoints = ['after-prepare', 'after-decision'] as const;

/** What the coordinator's decision log holds of one transaction. */
export interface Decision {
  gid: string;
  transferId: string;
  decision: 'commit' | 'abort';
  /** Whether recovery (not the request that started it) decided it. */
  byRecovery: boolean;
  /** ms since the epoch: every participant prepared; the decision logged; both participants resolved (absent while in doubt). */
  preparedAtMs: number;
  decidedAtMs: number;
  completedAtMs?: number;
}

type Verdict = 'commit' | 'abort';

/**
 * Two-phase commit across the two shards, with PostgreSQL's own participant
 * protocol (`PREPARE TRANSACTION`, `COMMIT PREPARED`, `ROLLBACK PREPARED`)
 * and the coordinator's decision log in a database of its own (`txlog`),
 * which outlives the coordinator's process.
 *
 * Presumed abort: nothing is logged before the participants prepare; the
 * commit decision is one row, and a prepared transaction without a commit
 * row is rolled back. The row is also the arbiter: a request inserts
 * `commit`, recovery inserts `abort`, each `ON CONFLICT DO NOTHING`, and
 * both act on whichever row is there — a slow request and recovery can never
 * resolve one transaction two ways. Until its commit row is written only the
 * request that started a transaction can ever commit it, so any failure
 * before that is a sure abort (409), and only a failed write of the commit
 * row itself leaves the outcome unknown (503).
 *
 * Recovery runs on start (a killed coordinator, restarted) and every
 * `resolveEveryMs`: every prepared transaction of this coordinator
 * (`pg_prepared_xacts`, gid prefix `pb:<coordinator>:`) that no live request
 * is handling is committed or rolled back as the log says. Until then it
 * holds its row locks: readers and transfers touching those accounts wait.
 *
 * Work order is shard-a before shard-b whatever the transfer's direction —
 * the order `readBalances` locks in — so no two transactions wait on each
 * other across the shards in a circle, which neither PostgreSQL could see.
 */
export class TwoPhaseCommit implements BankPattern {
  readonly commits = 'atomic';
  private readonly live = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private resolving: Promise<void> | undefined;

  constructor(
    private readonly shards: Record<ShardName, pg.Pool>,
    private readonly txlog: pg.Pool,
    private readonly failpoints: Failpoints,
    private readonly opts: { coordinator: string; resolveEveryMs: number },
  ) {}

  private get prefix(): string {
    return `pb:${this.opts.coordinator}:`;
  }

  async start(): Promise<void> {
    await ensureSchema(this.txlog, [
      `CREATE TABLE IF NOT EXISTS decisions (
         gid text PRIMARY KEY, transfer_id text NOT NULL, decision text NOT NULL CHECK (decision IN ('commit', 'abort')),
         by_recovery boolean NOT NULL, prepared_at timestamptz NOT NULL, decided_at timestamptz NOT NULL DEFAULT clock_timestamp(),
         completed_at timestamptz)`,
    ]);
    // A participant still down must not keep the coordinator from serving:
    // the same pass runs again every resolveEveryMs.
    await this.resolve().catch((err: Error) => console.error(`recovery: ${err.message}`));
    this.timer = setInterval(() => void this.resolve().catch((err: Error) => console.error(`recovery: ${err.message}`)), this.opts.resolveEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.resolving?.catch(() => undefined);
  }

  async transfer(t: Transfer): Promise<TransferResult> {
    const gid = `${this.prefix}${t.id}`;
    const sides = { [shardOf(t.from)]: 'debit', [shardOf(t.to)]: 'credit' } as Record<ShardName, 'debit' | 'credit'>;
    if (Object.keys(sides).length !== 2) throw new TransferRefused('a transfer moves money between the two shards');
    if (this.live.has(gid)) throw new Error(`transfer ${t.id} is already in progress`);
    const earlier = await this.decisionOf(gid);
    if (earlier === 'commit') return { outcome: 'committed' };
    if (earlier === 'abort') throw new TransferRefused(`transfer ${t.id} was aborted`, 'aborted');
    this.live.add(gid);
    const phases: Record<string, number> = {};
    let lapStart = performance.now();
    const lap = (phase: string) => {
      const now = performance.now();
      phases[phase] = Math.round((now - lapStart) * 100) / 100;
      lapStart = now;
    };
    try {
      await this.prepareAll(gid, t, sides, lap);
      const preparedAt = new Date();
      await this.failpoints.pass('after-prepare');
      lapStart = performance.now();
      let decision: Verdict;
      try {
        decision = await this.decide(gid, t.id, 'commit', preparedAt, false);
      } catch (err) {
        throw new Error(`the commit decision may or may not be logged (recovery settles it): ${(err as Error).message}`);
      }
      lap('decisionMs');
      if (decision === 'abort') {
        await this.finish(gid, 'abort').catch(() => undefined);
        throw new TransferRefused(`transfer ${t.id} was aborted by recovery`, 'aborted');
      }
      await this.failpoints.pass('after-decision');
      lapStart = performance.now();
      // Once the commit is logged the transfer has happened: a participant
      // that cannot be reached now is committed by recovery later.
      await this.finish(gid, 'commit').catch((err: Error) => console.error(`commit of ${gid} left to recovery: ${err.message}`));
      lap('commitMs');
      return { outcome: 'committed', phases };
    } finally {
      this.live.delete(gid);
    }
  }

  /**
   * The work phase on each shard (shard-a first), then PREPARE on both at
   * once. Any failure aborts the transaction everywhere and throws
   * `TransferRefused` (its outcome is sure: nothing can commit it now); when
   * a PREPARE's own outcome is unknown, an abort row is logged so recovery
   * rolls that participant back too.
   */
  private async prepareAll(gid: string, t: Transfer, sides: Record<ShardName, 'debit' | 'credit'>, lap: (phase: string) => void): Promise<void> {
    const open: pg.PoolClient[] = [];
    const broken = new Set<pg.PoolClient>();
    try {
      for (const shard of shardNames) {
        const c = await this.shards[shard].connect();
        open.push(c);
        await c.query('BEGIN');
        if (sides[shard] === 'debit') await debit(c, t.id, t.from, t.amount);
        else await credit(c, t.id, t.to, t.amount);
      }
      lap('workMs');
      const results = await Promise.allSettled(open.map((c) => c.query(`PREPARE TRANSACTION '${gid}'`)));
      lap('prepareMs');
      const failed = results.find((r) => r.status === 'rejected');
      if (!failed) return;
      for (const [i, c] of open.entries()) if (results[i].status === 'rejected') broken.add(c);
      open.length = 0; // prepared or failed: nothing left to roll back on these sessions
      await this.decide(gid, t.id, 'abort', new Date(), false).catch(() => undefined);
      await this.finish(gid, 'abort').catch(() => undefined);
      throw failed.reason;
    } catch (err) {
      for (const c of open) if (!(await rollback(c))) broken.add(c);
      throw err instanceof TransferRefused ? err : new TransferRefused(`aborted: ${(err as Error).message}`, 'aborted');
    } finally {
      for (const c of new Set([...open, ...broken])) c.release(broken.has(c) || undefined);
    }
  }

  /** Logs `wanted` unless a decision is already logged; returns the decision that holds. */
  private async decide(gid: string, transferId: string, wanted: Verdict, preparedAt: Date, byRecovery: boolean): Promise<Verdict> {
    const { rows } = await this.txlog.query<{ decision: Verdict }>(
      `INSERT INTO decisions (gid, transfer_id, decision, by_recovery, prepared_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (gid) DO NOTHING RETURNING decision`,
      [gid, transferId, wanted, byRecovery, preparedAt],
    );
    return rows[0]?.decision ?? (await this.decisionOf(gid))!;
  }

  /** COMMIT or ROLLBACK PREPARED on both shards (a shard where it is not prepared is done), then marks it completed. Throws if a shard cannot be reached. */
  private async finish(gid: string, decision: Verdict): Promise<void> {
    const verb = decision === 'commit' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
    await Promise.all(
      shardNames.map(async (shard) => {
        try {
          await this.shards[shard].query(`${verb} '${gid}'`);
        } catch (err) {
          // 42704: no prepared transaction of that gid here (finished before, or never prepared).
          if ((err as { code?: string }).code !== '42704') throw err;
        }
      }),
    );
    await this.txlog.query('UPDATE decisions SET completed_at = clock_timestamp() WHERE gid = $1 AND completed_at IS NULL', [gid]);
  }

  /**
   * Resolves every prepared transaction of this coordinator that no live
   * request handles, as the log says (no commit row: abort), and completes
   * logged decisions whose participants were resolved but not marked so.
   * One pass at a time; throws if a database cannot be reached (the next
   * pass tries again).
   */
  resolve(): Promise<void> {
    this.resolving ??= this.resolveOnce().finally(() => (this.resolving = undefined));
    return this.resolving;
  }

  private async resolveOnce(): Promise<void> {
    const found = new Map<string, Date>();
    for (const shard of shardNames) {
      const { rows } = await this.shards[shard].query<{ gid: string; prepared: Date }>(
        'SELECT gid, prepared FROM pg_prepared_xacts WHERE database = current_database() AND starts_with(gid, $1)',
        [this.prefix],
      );
      for (const row of rows) if (!found.has(row.gid) || row.prepared < found.get(row.gid)!) found.set(row.gid, row.prepared);
    }
    for (const [gid, prepared] of found) {
      if (this.live.has(gid)) continue;
      const decision = await this.decide(gid, gid.slice(this.prefix.length), 'abort', prepared, true);
      await this.finish(gid, decision);
      console.log(`recovery: ${decision === 'commit' ? 'committed' : 'rolled back'} in-doubt ${gid}, prepared at ${prepared.toISOString()}`);
    }
    const { rows } = await this.txlog.query<{ gid: string; decision: Verdict }>('SELECT gid, decision FROM decisions WHERE completed_at IS NULL');
    for (const { gid, decision } of rows) if (!found.has(gid) && !this.live.has(gid)) await this.finish(gid, decision);
  }

  private async decisionOf(gid: string): Promise<Verdict | undefined> {
    const { rows } = await this.txlog.query<{ decision: Verdict }>('SELECT decision FROM decisions WHERE gid = $1', [gid]);
    return rows[0]?.decision;
  }

  balances(): Promise<Record<string, number>> {
    return readBalances(this.shards);
  }

  async inFlight(): Promise<InFlight[]> {
    const out = new Map<string, InFlight>();
    for (const shard of shardNames) {
      const { rows } = await this.shards[shard].query<{ gid: string; prepared_ms: number }>(
        `SELECT gid, (extract(epoch FROM prepared) * 1000)::float8 AS prepared_ms FROM pg_prepared_xacts
         WHERE database = current_database() AND starts_with(gid, $1)`,
        [this.prefix],
      );
      for (const r of rows) out.set(r.gid, { id: r.gid.slice(this.prefix.length), step: 'prepared', sinceMs: r.prepared_ms });
    }
    return [...out.values()];
  }

  /** The decision log, for the audit: a transaction was in doubt, holding its locks, from `preparedAtMs` to `completedAtMs`. */
  async log(): Promise<Decision[]> {
    const { rows } = await this.txlog.query<{
      gid: string;
      transfer_id: string;
      decision: Verdict;
      by_recovery: boolean;
      prepared_ms: number;
      decided_ms: number;
      completed_ms: number | null;
    }>(
      `SELECT gid, transfer_id, decision, by_recovery, (extract(epoch FROM prepared_at) * 1000)::float8 AS prepared_ms,
              (extract(epoch FROM decided_at) * 1000)::float8 AS decided_ms, (extract(epoch FROM completed_at) * 1000)::float8 AS completed_ms
       FROM decisions ORDER BY prepared_at`,
    );
    return rows.map((r) => ({
      gid: r.gid,
      transferId: r.transfer_id,
      decision: r.decision,
      byRecovery: r.by_recovery,
      preparedAtMs: r.prepared_ms,
      decidedAtMs: r.decided_ms,
      ...(r.completed_ms !== null ? { completedAtMs: r.completed_ms } : {}),
    }));
  }
}

/** ROLLBACK on `c`; whether it worked (a session that cannot roll back is dropped, and the server rolls it back). */
function rollback(c: pg.PoolClient): Promise<boolean> {
  return c.query('ROLLBACK').then(
    () => true,
    () => false,
  );
}
