import { residues, writePrefixFingerprints } from '../models/fingerprint.ts';
import type { Effect, Model, ModelOp } from '../models/model.ts';
import { ANY, CoreMemoryError, IMPOSSIBLE, Outcome, PAGE_BYTES, type SearchCore } from './core.ts';

/**
 * The clock budgets are read on, ms from an arbitrary origin. Not
 * `performance.now()`: Node loads its perf_hooks module on the first use of
 * `performance`, about 1 ms that a one-file `patternbench check` paid inside
 * the checker.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The last reading of the RSS, shared by the checks of a process. */
let rssRead = { atMs: -Infinity, bytes: 0 };

/**
 * The process's resident set size, bytes, as read at most `maxAgeMs` ago
 * (default 1 ms). A reading costs 8 µs on a quiet machine and several times
 * that on a busy one: more than a small check takes, were each to read it.
 * A reading that old overshoots little: between readings the search cores
 * grow only within the headroom the last one left them (`limit`), and the
 * JavaScript heap by what a millisecond of model steps allocates.
 */
export function rssBytes(maxAgeMs = 1): number {
  const now = nowMs();
  if (now - rssRead.atMs > maxAgeMs) rssRead = { atMs: now, bytes: process.memoryUsage.rss() };
  return rssRead.bytes;
}

/** Limits a search runs under: an absolute deadline ({@link nowMs}), a cap on memoised configurations, and the process's RSS. */
export interface SearchBudget {
  deadlineMs: number;
  maxStates: number;
  maxRssBytes: number;
  /**
   * Until this time ({@link nowMs}) the RSS is not read and the last
   * reading stands in (0 if none): a check's verdict reads it from its
   * first millisecond on. A reading costs 10–50 µs on a small VM, as much
   * as a small check's whole search, and a millisecond of search grows the
   * process by a few MB at most. So a check decided within its first
   * millisecond is not held to the bound: the bound stops a search that
   * grows, and `unknown` is only ever the verdict of a search it stopped.
   */
  readRssFromMs?: number;
}

/** The RSS `budget` is held to now: {@link rssBytes}, or before `budget.readRssFromMs` the last reading. */
export function budgetRss(budget: SearchBudget): number {
  return budget.readRssFromMs !== undefined && nowMs() < budget.readRssFromMs ? rssRead.bytes : rssBytes();
}

/**
 * How a partition's search ended, or why it stopped: `timeout` (the
 * budget's deadline passed) and `memory-bound` (the process's RSS reached
 * the budget's bound) stop a search that can resume under another budget;
 * `out-of-memory` means its core's memory could not grow.
 */
export type SearchOutcome = 'linearizable' | 'violation' | 'timeout' | 'state-budget' | 'out-of-memory' | 'memory-bound';

/** The outcome of searching one partition. */
export interface SearchResult {
  outcome: SearchOutcome;
  /** For a violation, the longest linearizable prefix found: indices into the partition's calls, in linearization order; empty for any other outcome (nothing reads it, and a linearizable partition's is every call). */
  prefix: number[];
  /** The model state after `prefix`. */
  state: unknown;
  /** Configurations (linearized set, state) memoised. */
  states: number;
}

/** Model steps between readings of the clock and the RSS (a step is JavaScript, microseconds). */
const STEPS = 1024;
/**
 * Calls a partition needs before its search prunes on texts. A judgement,
 * not a measurement (the machine was too busy to tell the difference): a
 * partition of a few dozen calls is searched in microseconds, about what
 * building its prefix tables costs, while a large one can be cut by orders
 * of magnitude.
 */
const PRUNE_MIN_CALLS = 64;
/** The core counts memoised states in an i32: a larger cap is no cap. */
const MAX_I32 = 0x7fffffff;

/**
 * The search of one partition for a linearization, in a search core of its
 * own so that it can be paused and resumed while others run: Wing & Gong
 * with Lowe's memoisation, the loop in wasm/search.ts. The model runs here:
 * the core stops whenever it needs a transition it has not seen, and each
 * (state, op kind) is stepped once; ops with an {@link Model.effect} never
 * reach the model. Deterministic for a given sequence of turns; throws what
 * the model throws.
 */
export class PartitionSearch {
  /** The model's states the core has ids for; made afresh by each {@link layOut}. */
  private states: States | undefined;
  private steps = 0;
  private ended: SearchOutcome | undefined;
  /** Whether the partition is in the core and the walk at its start: done by the first {@link run}. */
  private laidOut = false;

  /**
   * A search of partition `p` of the history laid out in `layout`, in
   * `core` (which it owns until the scheduler gives it back). Nothing is
   * copied until the first {@link run}, under that run's memory bound.
   */
  constructor(
    readonly core: SearchCore,
    private readonly layout: SearchCore,
    readonly partition: number,
    private readonly kinds: readonly ModelOp[],
    private readonly model: Model,
    private readonly initial: unknown,
  ) {}

  /** Copies the partition into the core and puts the walk at its start; false when the core's memory cannot grow. */
  private layOut(): boolean {
    const { core, kinds, model } = this;
    const states = (this.states = new States(model, kinds));
    states.intern(model.init(this.initial));
    const n = this.layout.partitionSize(this.partition);
    const at = core.begin(n, kinds.length);
    if (at === 0) return false;
    const into = new Int32Array(core.memory.buffer, at, 3 * n + 2 * kinds.length);
    for (let column = 0; column < 3; column++)
      into.set(new Int32Array(this.layout.memory.buffer, this.layout.partitionColumn(this.partition, column), n), column * n);
    const effects = kinds.map((k) => model.effect?.(k));
    effects.forEach((effect, k) => {
      if (effect === undefined || 'appends' in effect) return;
      const [from, to] =
        'reads' in effect
          ? [states.intern(effect.reads), states.intern(effect.reads)]
          : 'writes' in effect
            ? [ANY, states.intern(effect.writes)]
            : [states.intern(effect.swaps[0]), states.intern(effect.swaps[1])];
      into[3 * n + k] = from;
      into[3 * n + kinds.length + k] = to;
    });
    // A partition this small is searched in less time than its prefix tables take to build.
    const pruned = n >= PRUNE_MIN_CALLS && model.text && model.fingerprint && model.equal && effects.every((e) => e !== undefined);
    if (pruned && !this.prune(states, model.text!, effects as Array<Effect<unknown>>)) return false;
    return (this.laidOut = core.layout() !== 0);
  }

  /**
   * Turns on the core's text pruning (see `readable` in wasm/search.ts):
   * each read kind's prefix fingerprints, and the kinds that can set the
   * state to a prefix of what it reads. False when memory cannot grow.
   */
  private prune(states: States, text: (s: unknown) => string | undefined, effects: ReadonlyArray<Effect<unknown>>): boolean {
    const k = effects.length;
    const reads = new Array<string | undefined>(k).fill(undefined);
    // A kind that sets a state without a text may lead anywhere (an append to it makes a text): a reset for every read.
    const resets: Array<{ kind: number; to: string | undefined }> = [];
    let pairs = 0;
    for (let kind = 0; kind < k; kind++) {
      const e = effects[kind];
      if ('reads' in e) {
        reads[kind] = text(e.reads);
        if (reads[kind] !== undefined) pairs += reads[kind]!.length + 1;
      } else if ('writes' in e) resets.push({ kind, to: text(e.writes) });
      else if ('swaps' in e) resets.push({ kind, to: text(e.swaps[1]) });
    }
    const resetsOf = reads.map((t) => (t === undefined ? [] : resets.filter((r) => r.to === undefined || t.startsWith(r.to)).map((r) => r.kind)));
    const resetCount = resetsOf.reduce((sum, r) => sum + r.length, 0);
    const at = this.core.pruning(pairs, resetCount);
    if (at === 0) return false;
    const table = new Int32Array(this.core.memory.buffer, at, 4 * k + 2 * pairs + resetCount);
    let pfx = 4 * k;
    let reset = pfx + 2 * pairs;
    for (let kind = 0; kind < k; kind++) {
      table[2 * k + kind] = reset - 4 * k - 2 * pairs;
      table[3 * k + kind] = resetsOf[kind].length;
      for (const r of resetsOf[kind]) table[reset++] = r;
      const t = reads[kind];
      if (t === undefined) continue;
      table[kind] = t.length;
      table[k + kind] = (pfx - 4 * k) / 2;
      pfx = writePrefixFingerprints(t, table, pfx);
    }
    return states.withTexts(this.core, text);
  }

  /**
   * Walks on for at most `turns` turns of the core (model steps in
   * between): returns how the search ended, or undefined when the turns ran
   * out first. `timeout` and `memory-bound` say that the budget ran out,
   * not that the search ended: it can be resumed under another. The core's
   * memory may grow by `growBytes` at most: what the RSS bound leaves.
   */
  run(turns: number, budget: SearchBudget, growBytes: number): SearchOutcome | undefined {
    if (this.ended !== undefined) return this.ended;
    const { core } = this;
    const maxStates = Math.min(budget.maxStates, MAX_I32);
    core.limit(core.memory.buffer.byteLength / PAGE_BYTES + Math.max(0, Math.floor(growBytes / PAGE_BYTES)));
    // Out of memory because the bound refused it: the search can go on under a larger one.
    const outOfMemory = () => (core.limited() ? 'memory-bound' : (this.ended = 'out-of-memory'));
    if (!this.laidOut && !this.layOut()) return outOfMemory();
    let left = turns;
    for (;;) {
      const stop = core.walk(maxStates, left);
      if (stop === Outcome.step) {
        const from = core.neededState();
        const kind = core.neededKind();
        let to: number;
        try {
          to = this.states!.step(from, kind);
        } catch (err) {
          if (err instanceof CoreMemoryError) return outOfMemory();
          throw err;
        }
        if (!core.setTransition(from, kind, to)) return outOfMemory();
        // The turns go on where they stopped; many steps read the clock and the RSS too (a reading at most a millisecond old, as the scheduler's).
        left = core.remainingTurns();
        if (++this.steps % STEPS === 0) {
          if (nowMs() > budget.deadlineMs) return 'timeout';
          if (budgetRss(budget) > budget.maxRssBytes) return 'memory-bound';
        }
        continue;
      }
      if (stop === Outcome.clock) return undefined;
      if (stop === Outcome.outOfMemory) return outOfMemory();
      return (this.ended = stop === Outcome.linearizable ? 'linearizable' : stop === Outcome.violation ? 'violation' : 'state-budget');
    }
  }

  /** Configurations memoised so far: the search's work. */
  get memoised(): number {
    return this.laidOut ? this.core.memoised() : 0;
  }

  /** What the search found so far (`timeout` while it could go on): its longest prefix, the state after it, and its work. */
  result(): SearchResult {
    const { core } = this;
    if (!this.laidOut) return { outcome: this.ended ?? 'timeout', prefix: [], state: this.model.init(this.initial), states: 0 };
    return {
      outcome: this.ended ?? 'timeout',
      prefix: this.ended === 'violation' ? Array.from(new Int32Array(core.memory.buffer, core.prefix(), core.prefixLength())) : [],
      state: this.states!.values[core.prefixState()],
      states: this.memoised,
    };
  }
}

/**
 * Model states interned as small integers (the core sees only those): by
 * the model's `fingerprint` and `equal` when it has them, else by its
 * `hash`.
 */
class States {
  readonly values: unknown[] = [];
  private readonly byHash = new Map<string, number>();
  /** Fingerprint to the id of the first state with it, or to every id with it once two share it. */
  private readonly byFingerprint = new Map<number, number | number[]>();
  private readonly fingerprint: ((s: unknown) => number) | undefined;
  private readonly equal: ((a: unknown, b: unknown) => boolean) | undefined;

  constructor(
    private readonly model: Model,
    private readonly kinds: readonly ModelOp[],
  ) {
    if (model.fingerprint && model.equal) {
      this.fingerprint = model.fingerprint;
      this.equal = model.equal;
    }
  }

  intern(s: unknown): number {
    if (this.fingerprint === undefined) {
      const h = this.model.hash(s);
      let id = this.byHash.get(h);
      if (id === undefined) {
        id = this.add(s);
        this.byHash.set(h, id);
      }
      return id;
    }
    const f = this.fingerprint(s);
    const found = this.byFingerprint.get(f);
    if (found === undefined) {
      const id = this.add(s);
      this.byFingerprint.set(f, id);
      return id;
    }
    const ids = typeof found === 'number' ? [found] : found;
    for (const id of ids) if (this.equal!(this.values[id], s)) return id;
    const id = this.add(s);
    ids.push(id);
    if (typeof found === 'number') this.byFingerprint.set(f, ids);
    return id;
  }

  /** The state op kind `kind` leads to from state `from`, or IMPOSSIBLE. */
  step(from: number, kind: number): number {
    const before = this.values[from];
    const r = this.model.step(before, this.kinds[kind]);
    // A step that returns its own state (a read) needs no interning.
    return !r.ok ? IMPOSSIBLE : r.state === before ? from : this.intern(r.state);
  }

  /**
   * From now on tells `core` each state's text (length and fingerprint),
   * the states interned so far included. False when memory cannot grow.
   */
  withTexts(core: SearchCore, text: (s: unknown) => string | undefined): boolean {
    this.texts = { core, text };
    return this.values.every((s, id) => this.tellText(id, s));
  }

  private texts: { core: SearchCore; text: (s: unknown) => string | undefined } | undefined;

  private add(s: unknown): number {
    this.values.push(s);
    const id = this.values.length - 1;
    if (this.texts !== undefined && !this.tellText(id, s)) throw new CoreMemoryError('out of memory recording a state');
    return id;
  }

  private tellText(id: number, s: unknown): boolean {
    const t = this.texts!.text(s);
    if (t === undefined) return true;
    const [fp1, fp2] = residues(this.fingerprint!(s));
    return this.texts!.core.stateText(id, t.length, fp1, fp2) !== 0;
  }
}
