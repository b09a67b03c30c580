import type { Model, ModelOp } from '../models/model.ts';
import { IMPOSSIBLE, Outcome, type SearchCore } from './core.ts';

/** Limits on one search: an absolute deadline ({@link nowMs}) and a cap on memoised configurations. */
export interface SearchBudget {
  deadlineMs: number;
  maxStates: number;
}

/**
 * The clock budgets are read on, ms from an arbitrary origin. Not
 * `performance.now()`: Node loads its perf_hooks module on the first use of
 * `performance`, about 1 ms that a one-file `patternbench check` paid inside
 * the checker.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The outcome of searching one partition. */
export interface SearchResult {
  outcome: 'linearizable' | 'violation' | 'timeout' | 'state-budget' | 'out-of-memory';
  /** The longest linearizable prefix found: indices into the partition's calls, in linearization order. */
  prefix: number[];
  /** The model state after `prefix`. */
  state: unknown;
  /** Configurations (linearized set, state) memoised. */
  states: number;
}

/** Walk turns between clock readings: some milliseconds of search. */
const TURNS = 1 << 18;
/** Model steps between clock readings (a step is JavaScript, microseconds). */
const STEPS = 256;
/** The core counts memoised states in an i32: a larger cap is no cap. */
const MAX_I32 = 0x7fffffff;

/**
 * Searches partition `p` of the history laid out in `core` (see prepare.ts)
 * for a linearization: Wing & Gong with Lowe's memoisation, the loop in
 * wasm/search.ts. The model runs here: the core stops whenever it needs a
 * transition it has not seen, and each (state, op kind) is stepped once.
 * Deterministic; throws what `model.step` throws.
 */
export function searchPartition(core: SearchCore, p: number, kinds: readonly ModelOp[], model: Model, initial: unknown, budget: SearchBudget): SearchResult {
  if (!core.begin(p, kinds.length) || !core.layout()) return { outcome: 'out-of-memory', prefix: [], state: model.init(initial), states: 0 };
  const states = new States(model, kinds);
  states.intern(model.init(initial));
  const maxStates = Math.min(budget.maxStates, MAX_I32);
  let outcome: SearchResult['outcome'];
  let turns = TURNS;
  let steps = 0;
  for (;;) {
    const stop = core.walk(maxStates, turns);
    if (stop === Outcome.step) {
      if (!core.setTransition(core.neededState(), core.neededKind(), states.step(core.neededState(), core.neededKind()))) {
        outcome = 'out-of-memory';
        break;
      }
      // The turns go on where they stopped, and many steps read the clock too.
      turns = core.remainingTurns();
      if (++steps % STEPS === 0 && nowMs() > budget.deadlineMs) {
        outcome = 'timeout';
        break;
      }
    } else if (stop === Outcome.clock) {
      turns = TURNS;
      if (nowMs() > budget.deadlineMs) {
        outcome = 'timeout';
        break;
      }
    } else {
      outcome =
        stop === Outcome.linearizable
          ? 'linearizable'
          : stop === Outcome.violation
            ? 'violation'
            : stop === Outcome.stateBudget
              ? 'state-budget'
              : 'out-of-memory';
      break;
    }
  }
  const prefix = Array.from(new Int32Array(core.memory.buffer, core.prefix(), core.prefixLength()));
  return { outcome, prefix, state: states.values[core.prefixState()], states: core.memoised() };
}

/** Model states interned as small integers (the core sees only those), by the model's `hash`. */
class States {
  readonly values: unknown[] = [];
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly model: Model,
    private readonly kinds: readonly ModelOp[],
  ) {}

  intern(s: unknown): number {
    const h = this.model.hash(s);
    let id = this.ids.get(h);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(h, id);
    }
    return id;
  }

  /** The state op kind `kind` leads to from state `from`, or IMPOSSIBLE. */
  step(from: number, kind: number): number {
    const before = this.values[from];
    const r = this.model.step(before, this.kinds[kind]);
    // A step that returns its own state (a read) needs no hash.
    return !r.ok ? IMPOSSIBLE : r.state === before ? from : this.intern(r.state);
  }
}
