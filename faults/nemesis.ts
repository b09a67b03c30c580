import type { OpInput } from '../history/op.ts';
import type { Fault } from './fault.ts';
import type { FaultContext } from './fault-spec.ts';

/** What the nemesis needs: where to record, a clock, and what faults may act on. */
export interface NemesisOptions {
  /** The run's history (a `HistoryWriter`); only `append` is used. */
  history: { append(op: OpInput): unknown };
  /** Nanoseconds since the run started, monotonic. */
  clock: () => number;
  ctx: FaultContext;
}

/**
 * Starts and stops faults and records each as a history op, written right
 * after the fault took effect (`start-<kind>`) or was reverted
 * (`stop-<kind>`): `{ process: 'nemesis', type: 'info', value: { on,
 * …attributes } }`. A fault that fails to start is reverted as far as it can
 * be and leaves no op. It tracks what is active so `stopAll` can revert it
 * all; a fault whose stop fails stays active, so a later `stopAll` retries.
 */
export class Nemesis {
  readonly ctx: FaultContext;
  private readonly history: NemesisOptions['history'];
  private readonly clock: () => number;
  /** Active faults in start order, each with its stop while one is in flight (so concurrent stops share it). */
  private readonly running = new Map<Fault, Promise<void> | undefined>();
  private readonly starting = new Set<Promise<unknown>>();

  constructor(opts: NemesisOptions) {
    this.history = opts.history;
    this.clock = opts.clock;
    this.ctx = opts.ctx;
  }

  /** The faults now active, in the order they started. */
  get active(): readonly Fault[] {
    return [...this.running.keys()];
  }

  /** Starts `fault` and records `start-<kind>`; a no-op if it is already active. Throws the fault's error, having tried to revert it. */
  async start(fault: Fault): Promise<void> {
    if (this.running.has(fault)) return;
    const started = fault.start().then(
      () => {
        this.running.set(fault, undefined);
        this.record(fault, 'start');
      },
      async (err: unknown) => {
        await fault.stop().catch(() => undefined);
        throw err;
      },
    );
    this.starting.add(started);
    try {
      await started;
    } finally {
      this.starting.delete(started);
    }
  }

  /** Reverts `fault` and records `stop-<kind>`; a no-op if it is not active. Throws the fault's error (it then stays active). */
  async stop(fault: Fault): Promise<void> {
    if (!this.running.has(fault)) return;
    const inFlight = this.running.get(fault);
    if (inFlight) return inFlight;
    const stopping = fault.stop().then(
      () => {
        this.running.delete(fault);
        this.record(fault, 'stop');
      },
      (err: unknown) => {
        this.running.set(fault, undefined);
        throw err;
      },
    );
    this.running.set(fault, stopping);
    return stopping;
  }

  /**
   * Reverts every active fault, newest first, after any start in flight has
   * settled. Never stops halfway: every fault is tried, then one
   * `AggregateError` lists each that could not be reverted. With `final`
   * (the run is ending: no later call will retry), a fault that cannot be
   * reverted is let go and recorded so, as `stop-<kind>` with the `error`
   * in its value, so that no fault is left open in the history.
   */
  async stopAll(opts: { final?: boolean } = {}): Promise<void> {
    await Promise.allSettled([...this.starting]);
    const errors: Error[] = [];
    for (const fault of [...this.running.keys()].reverse()) {
      await this.stop(fault).catch((err: Error) => {
        errors.push(new Error(`${fault.kind} on ${fault.on}: ${err.message}`, { cause: err }));
        if (!opts.final) return;
        this.running.delete(fault);
        this.record(fault, 'stop', `could not revert: ${err.message}`);
      });
    }
    if (errors.length > 0) throw new AggregateError(errors, `could not revert ${errors.length} fault(s): ${errors.map((e) => e.message).join('; ')}`);
  }

  private record(fault: Fault, action: 'start' | 'stop', error?: string): void {
    const value = { on: fault.on, ...fault.attributes, ...(error === undefined ? {} : { error }) };
    this.history.append({ time: this.clock(), process: 'nemesis', type: 'info', f: `${action}-${fault.kind}`, value });
  }
}
