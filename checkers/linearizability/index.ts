import type { Op } from '../../history/op.ts';
import type { Verdict } from '../verdict.ts';
import { models } from '../models/index.ts';
import type { Model, ModelOp } from '../models/model.ts';
import { CoreMemoryError, searchCore } from './core.ts';
import { PartitionCalls, prepare, type Call, type Prepared } from './prepare.ts';
import { PartitionScheduler, type RunStop } from './schedule.ts';
import { nowMs, rssBytes, type SearchBudget } from './search.ts';

/**
 * One operation of a counterexample with its real-time interval. An `info`
 * op's interval is open (`endNs: null`, no `output`); its `completeIndex` is
 * its info line, or null when it never completed.
 */
export interface OpInterval {
  process: number;
  f: string;
  key?: string;
  input: unknown;
  /** The ok completion's value; absent for `info`. */
  output?: unknown;
  type: 'ok' | 'info';
  invokeIndex: number;
  completeIndex: number | null;
  startNs?: number;
  endNs?: number | null;
}

/** Why one partition is not linearizable. */
export interface PartitionCounterexample {
  /** The key, or null when the model does not partition. */
  partition: string | null;
  /** The longest linearizable prefix found, in linearization order. */
  prefix: OpInterval[];
  /** The ops that could be linearized next after `prefix` yet none could be placed: every op invoked before the earliest return among the unplaced `ok` ops (that op included), in invoke order. */
  unplaced: OpInterval[];
  /** The model state after `prefix` (`describe`). */
  state: string;
}

/** A `false` verdict's counterexample that does not cover every partition: its own budget ran out first. */
export interface PartialCounterexample {
  /** Which budget ran out, or which partitions' searches gave up. */
  reason: string;
  /** The partitions the counterexample covers: each is not linearizable. */
  covers: Array<string | null>;
  /** The partitions whose search did not end (or gave up on a budget of its own): they may fail too. */
  unsearched: Array<string | null>;
}

/** The linearizability checker's verdict. */
export interface LinearVerdict extends Verdict {
  valid: true | false | 'unknown';
  model: string;
  /** Client operations the search had to place: `ok` ops, and `info` ops that may write (fails and info reads constrain nothing). */
  ops: number;
  partitions: number;
  /** From the call to the verdict: what deciding `valid` took, ms (set by {@link checkLinearizable}; optional so that a verdict built by hand, in a test or a report, need not invent it). */
  verdictMs?: number;
  /** From the call to its return: the verdict and then its counterexample, ms. */
  elapsedMs: number;
  /** Configurations (linearized set, model state) the search memoised, over all partitions searched: its work. */
  states?: number;
  /** For `'unknown'`: which budget ran out, and where. */
  reason?: string;
  /** For `false`: one entry per failing partition found, in partition order. */
  counterexample?: PartitionCounterexample[];
  /** For `false`, when the counterexample does not cover every partition. */
  partial?: PartialCounterexample;
}

/** Options of {@link checkLinearizable}. */
export interface LinearOptions {
  /** A model name from `checkers/models` or a model. */
  model: string | Model;
  /** The initial value (the model's `init` argument; for `kv`, every key's). */
  init?: unknown;
  /** Wall-clock budget for the verdict, ms; default 60 000. */
  timeoutMs?: number;
  /** Cap on memoised configurations (linearized set, state) per partition; default 2 000 000. */
  maxStates?: number;
  /** Bound on the process's resident set size while the check runs (read from its first millisecond on: see {@link SearchBudget.readRssFromMs}), bytes; default {@link DEFAULT_MAX_MEMORY_BYTES}. */
  maxMemoryBytes?: number;
  /** Wall-clock budget for the counterexample once the verdict is `false`, ms; default {@link DEFAULT_EXPLAIN_TIMEOUT_MS}. */
  explainTimeoutMs?: number;
  /** How far the counterexample may raise the RSS past where the verdict left it, bytes (never past `maxMemoryBytes`); default {@link DEFAULT_EXPLAIN_MEMORY_BYTES}. */
  explainMemoryBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** A configuration costs some 30–50 bytes of the core's memory, whatever the history's length, plus its model state. */
const DEFAULT_MAX_STATES = 2_000_000;
/** The RSS a check stays under by default: 1 GiB. */
export const DEFAULT_MAX_MEMORY_BYTES = 1 << 30;
/**
 * The counterexample's default time budget. The verdict is what CI waits
 * for; explaining every failing partition to the end can take far longer
 * than deciding (Porcupine's c50-bad: 47 ms to decide, minutes to explain
 * every key), so past this the counterexample is partial.
 */
export const DEFAULT_EXPLAIN_TIMEOUT_MS = 300;
/** The counterexample's default memory budget, over the verdict's RSS. */
export const DEFAULT_EXPLAIN_MEMORY_BYTES = 128 << 20;

/**
 * Checks that `history` is linearizable under Jepsen's semantics: array
 * order is real-time order; `ok` took effect; `fail` did not; `info` may
 * take effect at any time after its invoke, or never, with its invocation's
 * value; nemesis ops are ignored. A model with `partition` is checked key by
 * key (P-compositionality).
 *
 * The verdict comes first: the partitions are searched in turn (see
 * {@link PartitionScheduler}) and the first one found not linearizable
 * decides `false`. Then the counterexample: the searches still under way go
 * on, under a budget of their own, to find every failing partition; when
 * that budget runs out, the verdict stays `false` and `partial` says which
 * partitions the counterexample leaves out. A verdict budget that runs out
 * gives `'unknown'` with a reason, never `true`. Pure apart from reading the
 * clock and the process's RSS; throws on an unknown model name, a
 * completion without an invoke, or an `f` the model rejects.
 */
export function checkLinearizable(history: readonly Op[], opts: LinearOptions): LinearVerdict {
  const startMs = nowMs();
  const model = typeof opts.model === 'string' ? models[opts.model] : opts.model;
  if (!model) throw new Error(`unknown model "${String(opts.model)}"; known: ${Object.keys(models).join(', ')}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  const maxRssBytes = opts.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
  const layout = searchCore();
  let prepared: Prepared;
  try {
    prepared = prepare(history, model, layout);
  } catch (err) {
    if (!(err instanceof CoreMemoryError)) throw err;
    const elapsedMs = nowMs() - startMs;
    return { valid: 'unknown', model: model.name, ops: 0, partitions: 0, verdictMs: elapsedMs, elapsedMs, states: 0, reason: err.message };
  }
  const { partitions, calls } = prepared;
  const keyOf = (p: number) => partitions[p].key;
  const where = (ps: readonly number[]) =>
    ps.length === 0 || keyOf(ps[0]) === null ? '' : ` in partition ${keyOf(ps[0])}${ps.length > 1 ? ` (and ${ps.length - 1} more)` : ''}`;
  /** Why the partitions whose search gave up on a budget of their own did. */
  const gaveUp = () => {
    const ps = scheduler.results.flatMap((r, p) => (r && (r.outcome === 'state-budget' || r.outcome === 'out-of-memory') ? [p] : []));
    if (ps.length === 0) return undefined;
    const first = scheduler.results[ps[0]]!;
    const what =
      first.outcome === 'state-budget' ? `state budget exceeded (${maxStates} memoised states)` : `out of memory after ${first.states} memoised states`;
    return { partitions: ps, reason: `${what}${where(ps)}` };
  };
  const budgetReason = (stop: RunStop, ms: number, bytes: number) =>
    stop === 'timeout' ? `timed out after ${ms} ms` : `memory bound reached (RSS over ${Math.round(bytes / 2 ** 20)} MB)`;

  const scheduler = new PartitionScheduler(prepared, layout, model.partitionModel ?? model, opts.init);
  try {
    const stop = scheduler.run({ deadlineMs: startMs + timeoutMs, maxStates, maxRssBytes, readRssFromMs: startMs + 1 }, true);
    const verdictMs = nowMs() - startMs;
    const base = { model: model.name, ops: calls, partitions: partitions.length, verdictMs };
    if (stop !== 'violation') {
      const states = scheduler.states();
      const elapsedMs = nowMs() - startMs;
      if (stop !== 'done')
        return { valid: 'unknown', ...base, elapsedMs, states, reason: `${budgetReason(stop, timeoutMs, maxRssBytes)}${where(scheduler.unsearched())}` };
      const gave = gaveUp();
      if (gave) return { valid: 'unknown', ...base, elapsedMs, states, reason: gave.reason };
      return { valid: true, ...base, elapsedMs, states };
    }

    const explainMs = opts.explainTimeoutMs ?? DEFAULT_EXPLAIN_TIMEOUT_MS;
    const explainRss = Math.min(maxRssBytes, rssBytes() + (opts.explainMemoryBytes ?? DEFAULT_EXPLAIN_MEMORY_BYTES));
    const explained = scheduler.run({ deadlineMs: nowMs() + explainMs, maxStates, maxRssBytes: explainRss }, false);
    const counterexample: PartitionCounterexample[] = [];
    scheduler.results.forEach((r, p) => {
      if (r?.outcome === 'violation') {
        counterexample.push(explain(history, keyOf(p), new PartitionCalls(layout, prepared, p), partitions[p].kinds, r.prefix, describe(model, r.state)));
      }
    });
    const verdict: LinearVerdict = { valid: false, ...base, elapsedMs: 0, states: scheduler.states(), counterexample };
    const unsearched = scheduler.unsearched();
    const gave = gaveUp();
    if (unsearched.length > 0 || gave) {
      const reasons = [...(unsearched.length > 0 ? [budgetReason(explained, explainMs, explainRss)] : []), ...(gave ? [gave.reason] : [])];
      verdict.partial = {
        reason: reasons.join('; '),
        covers: counterexample.map((c) => c.partition),
        unsearched: [...unsearched, ...(gave?.partitions ?? [])].sort((a, b) => a - b).map(keyOf),
      };
    }
    verdict.elapsedMs = nowMs() - startMs;
    return verdict;
  } finally {
    scheduler.close();
  }
}

/** A partition's state rendered by the model that holds it. */
function describe(model: Model, state: unknown): string {
  return (model.partitionModel ?? model).describe(state);
}

/** Builds one partition's counterexample from the longest prefix the search found. */
function explain(
  history: readonly Op[],
  key: string | null,
  calls: PartitionCalls,
  kinds: readonly ModelOp[],
  prefix: readonly number[],
  state: string,
): PartitionCounterexample {
  const interval = (i: number): OpInterval => {
    const call = calls.call(i);
    return opInterval(history, kinds[call.kind], call);
  };
  const placed = new Uint8Array(calls.length);
  for (const i of prefix) placed[i] = 1;
  let firstReturn = Infinity;
  for (let i = 0; i < calls.length; i++) if (!placed[i]) firstReturn = Math.min(firstReturn, calls.completePos(i));
  const unplaced: OpInterval[] = [];
  for (let i = 0; i < calls.length && calls.invokePos(i) < firstReturn; i++) if (!placed[i]) unplaced.push(interval(i));
  return { partition: key, prefix: prefix.map(interval), unplaced, state };
}

function opInterval(history: readonly Op[], op: ModelOp, call: Call): OpInterval {
  const invoke = history[call.invokePos];
  const ok = call.completePos !== Infinity;
  const completion = call.endPos < 0 ? null : history[call.endPos];
  return {
    process: invoke.process as number,
    f: op.f,
    ...(op.key === undefined ? {} : { key: op.key }),
    input: op.input,
    ...(ok ? { output: op.output } : {}),
    type: ok ? 'ok' : 'info',
    invokeIndex: invoke.index ?? call.invokePos,
    completeIndex: completion === null ? null : (completion.index ?? call.endPos),
    startNs: invoke.time,
    endNs: ok ? completion!.time : null,
  };
}
