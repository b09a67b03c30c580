import type pg from 'pg';
import type { Failpoints } from './failpoints.ts';
import { ensureSchema, inTransaction } from './pg.ts';
import { backoffMs, mayRetry, type RetryPolicy, sleep, within } from './retry.ts';

/** A step that surely did not take effect and never will (a declined card, an unknown account): not retried; the saga compensates what came before. */
export class StepRefused extends Error {}

/**
 * One step of a saga. `run` must be idempotent by the saga's id (the
 * participant dedupes by an idempotency key), since an attempt whose answer
 * was lost is tried again. `compensate` must be idempotent too, and must also
 * work when the step never arrived — by making sure it never will (the
 * participant records the cancellation, so a late attempt is refused).
 * A step without `compensate` is retriable-only (Richardson's "retriable
 * transaction"): it is tried until it succeeds or is refused, whatever
 * `maximumAttempts` says, because giving up on it could leave an effect
 * nothing can undo.
 */
export interface SagaStep<P> {
  name: string;
  run(payload: P): Promise<void>;
  compensate?(payload: P): Promise<void>;
}

/** A kind of saga: its steps in order. */
export interface SagaDefinition<P> {
  kind: string;
  steps: readonly SagaStep<P>[];
  /** Written in the transaction that logs the saga's start / its end (the order row, in the order saga). */
  onBegin?(c: pg.ClientBase, id: string, payload: P): Promise<void>;
  onFinish?(c: pg.ClientBase, id: string, outcome: SagaOutcome): Promise<void>;
}

/** How a saga ended: every step done; refused at its first step (nothing to undo); or undone in reverse order. */
export type SagaOutcome = 'completed' | 'rejected' | 'compensated';
type SagaState = 'running' | 'compensating' | SagaOutcome;

/** A saga in flight as `GET /sagas` shows it. */
export interface SagaInFlight {
  id: string;
  kind: string;
  state: 'running' | 'compensating';
  /** The step being done or compensated now. */
  step: string;
  /** Failed attempts of that step so far (this incarnation), and when the next one is due (ms since the epoch). */
  attempts: number;
  nextAttemptAtMs?: number;
  sinceMs: number;
}

/** One line of the saga log's event trail: which step, what happened, when (ms since the epoch). */
export interface SagaEvent {
  sagaId: string;
  step: string;
  event: 'started' | 'done' | 'refused' | 'gave-up' | 'compensated' | SagaOutcome;
  atMs: number;
}

interface Row {
  id: string;
  payload: unknown;
  state: SagaState;
  step: number;
  compensate_next: number;
}

/**
 * An orchestrator with a persisted saga log, in the manner of Temporal's
 * workflows: the log (tables `sagas` and `saga_events` in the orchestrator's
 * own database) is written before the first step and after every step's
 * outcome, so an orchestrator killed at any point and started again resumes
 * every saga where the log says — redoing at most the step it was in, which
 * is idempotent — and finishes or compensates it.
 *
 * Each attempt of a step is bounded by `stepTimeoutMs` (Temporal's
 * start-to-close timeout); a failed or timed-out attempt is retried after
 * `retry`'s exponential backoff (Temporal's defaults: 1 s, ×2, capped at
 * 100 s, unlimited attempts). A refused step is not retried. Once a step is
 * refused, or gives up after `maximumAttempts`, the steps before it — and it
 * too, if its outcome is unknown — are compensated in reverse order, each
 * compensation retried until it succeeds.
 */
export class SagaOrchestrator<P> {
  private readonly driving = new Map<string, Promise<SagaOutcome>>();
  /**
   * At most 16 log writes at once, below the log pool's size: an
   * orchestrator resuming hundreds of sagas on start (a participant was down
   * when it died) would otherwise take every connection at once and time
   * them all out. Step attempts, which call the participants rather than
   * the log, have a wider bound of their own. Work beyond either waits its
   * turn, as activities wait for a Temporal worker's slots.
   */
  private readonly logSlots = new Slots(16);
  private readonly stepSlots = new Slots(64);
  private readonly progress = new Map<string, { step: string; attempts: number; nextAttemptAtMs?: number }>();
  private stopped = false;

  constructor(
    private readonly log: pg.Pool,
    private readonly definition: SagaDefinition<P>,
    private readonly failpoints: Failpoints,
    private readonly opts: { retry: RetryPolicy; stepTimeoutMs: number },
  ) {}

  /** Creates the log's tables and resumes every saga a previous incarnation left unfinished (without waiting for them). */
  async start(): Promise<void> {
    await ensureSchema(this.log, [
      `CREATE TABLE IF NOT EXISTS sagas (
         id text PRIMARY KEY, kind text NOT NULL, payload jsonb NOT NULL, state text NOT NULL,
         step int NOT NULL, compensate_next int NOT NULL, reason text,
         created_at timestamptz NOT NULL DEFAULT clock_timestamp(), updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
         finished_at timestamptz)`,
      `CREATE TABLE IF NOT EXISTS saga_events (
         seq bigserial PRIMARY KEY, saga_id text NOT NULL, step text NOT NULL, event text NOT NULL,
         at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    ]);
    const { rows } = await this.log.query<Row>(
      "SELECT id, payload, state, step, compensate_next FROM sagas WHERE kind = $1 AND state IN ('running', 'compensating') ORDER BY created_at",
      [this.definition.kind],
    );
    for (const row of rows) {
      console.log(`recovery: resuming saga ${row.id} (${row.state}, step ${row.step})`);
      this.track(row);
    }
  }

  /** Stops retrying (SIGTERM): sagas in flight stay in the log, for the next start. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Starts saga `id` (logged first, with `onBegin`'s writes in the same
   * transaction) and resolves with its outcome. An `id` already logged is
   * not started again: its outcome is awaited or read. Throws if the log
   * cannot be written (the saga then may or may not have started).
   */
  async run(id: string, payload: P): Promise<SagaOutcome> {
    const running = this.driving.get(id);
    if (running) return running;
    const row = await inTransaction(this.log, async (c) => {
      const inserted = await c.query<Row>(
        `INSERT INTO sagas (id, kind, payload, state, step, compensate_next) VALUES ($1, $2, $3, 'running', 0, -1)
         ON CONFLICT (id) DO NOTHING RETURNING id, payload, state, step, compensate_next`,
        [id, this.definition.kind, JSON.stringify(payload)],
      );
      if (inserted.rows.length === 0) return undefined;
      await c.query("INSERT INTO saga_events (saga_id, step, event) VALUES ($1, '', 'started')", [id]);
      await this.definition.onBegin?.(c, id, payload);
      return inserted.rows[0];
    });
    if (row) return this.track(row);
    const again = this.driving.get(id);
    if (again) return again;
    const { rows } = await this.log.query<Row>('SELECT id, payload, state, step, compensate_next FROM sagas WHERE id = $1', [id]);
    const state = rows[0].state;
    return state === 'running' || state === 'compensating' ? this.track(rows[0]) : state;
  }

  private track(row: Row): Promise<SagaOutcome> {
    const outcome = this.drive(row).finally(() => {
      this.driving.delete(row.id);
      this.progress.delete(row.id);
    });
    this.driving.set(row.id, outcome);
    // A saga resumed on start has no caller; one cut short by stop() stays in the log for the next start.
    outcome.catch(() => undefined);
    return outcome;
  }

  private async drive(row: Row): Promise<SagaOutcome> {
    const { steps } = this.definition;
    const payload = row.payload as P;
    let { state, step, compensate_next: next } = row;
    while (state === 'running') {
      if (step === steps.length) {
        await this.record(row.id, { state: 'completed' }, '', 'completed');
        return 'completed';
      }
      const result = await this.attempt(row.id, steps[step], payload, 'run');
      if (result === 'done') {
        step += 1;
        await this.record(row.id, { step }, steps[step - 1].name, 'done');
      } else {
        // A refused step left no effect; one given up on may have.
        next = result === 'refused' ? step - 1 : step;
        state = next < 0 ? 'rejected' : 'compensating';
        await this.record(row.id, { state, compensate_next: next }, steps[step].name, result);
        if (state === 'rejected') return 'rejected';
      }
      await this.failpoints.pass('after-step');
    }
    for (; next >= 0; next--) {
      const s = steps[next];
      if (!s.compensate) continue;
      await this.attempt(row.id, s, payload, 'compensate');
      await this.record(row.id, { compensate_next: next - 1 }, s.name, 'compensated');
      await this.failpoints.pass('after-compensation');
    }
    await this.record(row.id, { state: 'compensated' }, '', 'compensated');
    return 'compensated';
  }

  /**
   * Attempts `step` (or its compensation) until it is done, refused, or — a
   * compensatable step, run forward — out of attempts. Each attempt is
   * bounded by `stepTimeoutMs`; one that times out may still land, which the
   * step's idempotency makes harmless.
   */
  private async attempt(id: string, step: SagaStep<P>, payload: P, mode: 'run' | 'compensate'): Promise<'done' | 'refused' | 'gave-up'> {
    const progress = { step: mode === 'run' ? step.name : `compensate ${step.name}`, attempts: 0, nextAttemptAtMs: undefined as number | undefined };
    this.progress.set(id, progress);
    try {
      return await this.attempts(id, step, payload, mode, progress);
    } finally {
      // From here the log says where the saga is.
      this.progress.delete(id);
    }
  }

  private async attempts(
    id: string,
    step: SagaStep<P>,
    payload: P,
    mode: 'run' | 'compensate',
    progress: { step: string; attempts: number; nextAttemptAtMs?: number },
  ): Promise<'done' | 'refused' | 'gave-up'> {
    const { retry, stepTimeoutMs } = this.opts;
    for (;;) {
      this.halt();
      try {
        await this.stepSlots.use(() => within(mode === 'run' ? step.run(payload) : step.compensate!(payload), stepTimeoutMs, `${progress.step} of saga ${id}`));
        return 'done';
      } catch (err) {
        if (err instanceof StepRefused && mode === 'run') return 'refused';
        progress.attempts += 1;
        const giveUp = mode === 'run' && step.compensate !== undefined && !mayRetry(retry, progress.attempts);
        console.error(`${progress.step} of saga ${id}, attempt ${progress.attempts}: ${(err as Error).message}${giveUp ? '; giving up' : ''}`);
        if (giveUp) return 'gave-up';
        const waitMs = backoffMs(retry, progress.attempts);
        progress.nextAttemptAtMs = Date.now() + waitMs;
        await sleep(waitMs);
      }
    }
  }

  /** Logs a step's outcome (with `onFinish` when the saga ends), retrying until the log takes it: a saga never moves on without its log. */
  private async record(
    id: string,
    change: { state?: SagaState; step?: number; compensate_next?: number },
    step: string,
    event: SagaEvent['event'],
  ): Promise<void> {
    const ended = change.state === 'completed' || change.state === 'rejected' || change.state === 'compensated';
    for (let attempt = 1; ; attempt++) {
      this.halt();
      try {
        await this.logSlots.use(() => this.write(id, change, step, event, ended));
        return;
      } catch (err) {
        console.error(`saga log, ${id} ${event}: ${(err as Error).message}`);
        await sleep(backoffMs(this.opts.retry, attempt));
      }
    }
  }

  private write(id: string, change: { state?: SagaState; step?: number; compensate_next?: number }, step: string, event: SagaEvent['event'], ended: boolean) {
    return inTransaction(this.log, async (c) => {
      await c.query(
        `UPDATE sagas SET state = coalesce($2, state), step = coalesce($3, step), compensate_next = coalesce($4, compensate_next),
               updated_at = clock_timestamp(), finished_at = CASE WHEN $5 THEN clock_timestamp() END WHERE id = $1`,
        [id, change.state ?? null, change.step ?? null, change.compensate_next ?? null, ended],
      );
      await c.query('INSERT INTO saga_events (saga_id, step, event) VALUES ($1, $2, $3)', [id, step, event]);
      if (ended) await this.definition.onFinish?.(c, id, change.state as SagaOutcome);
    });
  }

  private halt(): void {
    if (this.stopped) throw new Error('the orchestrator is stopping');
  }

  /** Sagas in flight, from the log, with this process's view of their current step. */
  async inFlight(): Promise<SagaInFlight[]> {
    const { rows } = await this.log.query<Row & { since_ms: number }>(
      `SELECT id, payload, state, step, compensate_next, (extract(epoch FROM created_at) * 1000)::float8 AS since_ms
       FROM sagas WHERE kind = $1 AND state IN ('running', 'compensating') ORDER BY created_at`,
      [this.definition.kind],
    );
    const { steps } = this.definition;
    return rows.map((r) => {
      const live = this.progress.get(r.id);
      const logged = r.state === 'running' ? (steps[r.step]?.name ?? 'finishing') : `compensate ${steps[Math.max(0, r.compensate_next)].name}`;
      return {
        id: r.id,
        kind: this.definition.kind,
        state: r.state as 'running' | 'compensating',
        step: live?.step ?? logged,
        attempts: live?.attempts ?? 0,
        ...(live?.nextAttemptAtMs ? { nextAttemptAtMs: live.nextAttemptAtMs } : {}),
        sinceMs: r.since_ms,
      };
    });
  }

  /** The log's event trail of every saga of this kind, oldest first: for the audit (compensation order, inconsistency windows). */
  async events(): Promise<SagaEvent[]> {
    const { rows } = await this.log.query<{ saga_id: string; step: string; event: SagaEvent['event']; at_ms: number }>(
      `SELECT e.saga_id, e.step, e.event, (extract(epoch FROM e.at) * 1000)::float8 AS at_ms
       FROM saga_events e JOIN sagas s ON s.id = e.saga_id WHERE s.kind = $1 ORDER BY e.seq`,
      [this.definition.kind],
    );
    return rows.map((r) => ({ sagaId: r.saga_id, step: r.step, event: r.event, atMs: r.at_ms }));
  }
}

/** A counting semaphore: `use` runs its work once one of `size` slots is free. */
class Slots {
  private free: number;
  private readonly queue: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.free++;
    }
  }
}
