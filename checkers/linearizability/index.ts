import type { Op } from '../../history/op.ts';
import type { Verdict } from '../verdict.ts';
import { models } from '../models/index.ts';
import type { Model, ModelOp } from '../models/model.ts';
import { CoreMemoryError, searchCore } from './core.ts';
import { PartitionCalls, prepare, type Call, type Prepared } from './prepare.ts';
import { nowMs, searchPartition } from './search.ts';

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

/** The linearizability checker's verdict. */
export interface LinearVerdict extends Verdict {
  valid: true | false | 'unknown';
  model: string;
  /** Client operations the search had to place: `ok` ops, and `info` ops that may write (fails and info reads constrain nothing). */
  ops: number;
  partitions: number;
  elapsedMs: number;
  /** Configurations (linearized set, model state) the search memoised, over all partitions searched: its work. */
  states?: number;
  /** For `'unknown'`: which budget ran out, and where. */
  reason?: string;
  /** One entry per failing partition. */
  counterexample?: PartitionCounterexample[];
}

/** Options of {@link checkLinearizable}. */
export interface LinearOptions {
  /** A model name from `checkers/models` or a model. */
  model: string | Model;
  /** The initial value (the model's `init` argument; for `kv`, every key's). */
  init?: unknown;
  /** Wall-clock budget for the whole check, ms; default 60 000. */
  timeoutMs?: number;
  /** Cap on memoised configurations (linearized set, state) per partition; default 2 000 000 (at most about 100 MB). */
  maxStates?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** At most about 100 MB of memo: a configuration costs some 30–50 bytes whatever the history's length. */
const DEFAULT_MAX_STATES = 2_000_000;

/**
 * Checks that `history` is linearizable under Jepsen's semantics: array
 * order is real-time order; `ok` took effect; `fail` did not; `info` may
 * take effect at any time after its invoke, or never, with its invocation's
 * value; nemesis ops are ignored. A model with `partition` is checked key by
 * key (P-compositionality). A budget that runs out gives `'unknown'` with a
 * reason, never `true`; a violation in any partition gives `false` even when
 * another ran out. Pure apart from reading the clock; throws on an unknown
 * model name, a completion without an invoke, or an `f` the model rejects.
 */
export function checkLinearizable(history: readonly Op[], opts: LinearOptions): LinearVerdict {
  const startMs = nowMs();
  const model = typeof opts.model === 'string' ? models[opts.model] : opts.model;
  if (!model) throw new Error(`unknown model "${String(opts.model)}"; known: ${Object.keys(models).join(', ')}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadlineMs = startMs + timeoutMs;
  const core = searchCore();
  let prepared: Prepared;
  try {
    prepared = prepare(history, model, core);
  } catch (err) {
    if (!(err instanceof CoreMemoryError)) throw err;
    return { valid: 'unknown', model: model.name, ops: 0, partitions: 0, elapsedMs: nowMs() - startMs, states: 0, reason: err.message };
  }
  const { partitions, calls } = prepared;

  const counterexample: PartitionCounterexample[] = [];
  let reason: string | undefined;
  let states = 0;
  for (let p = 0; p < partitions.length; p++) {
    const { key, kinds } = partitions[p];
    const where = key === null ? '' : ` in partition ${key}`;
    if (nowMs() > deadlineMs) {
      reason ??= `timed out after ${timeoutMs} ms${where}`;
      break;
    }
    const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
    const r = searchPartition(core, p, kinds, model, opts.init, { deadlineMs, maxStates });
    states += r.states;
    if (r.outcome === 'violation') counterexample.push(explain(history, key, new PartitionCalls(core, prepared, p), kinds, r.prefix, model.describe(r.state)));
    else if (r.outcome === 'timeout') reason ??= `timed out after ${timeoutMs} ms${where}`;
    else if (r.outcome === 'state-budget') reason ??= `state budget exceeded (${maxStates} memoised states)${where}`;
    else if (r.outcome === 'out-of-memory') reason ??= `out of memory after ${r.states} memoised states${where}`;
  }

  const base = { model: model.name, ops: calls, partitions: partitions.length, elapsedMs: nowMs() - startMs, states };
  if (counterexample.length > 0) return { valid: false, ...base, counterexample };
  if (reason !== undefined) return { valid: 'unknown', ...base, reason };
  return { valid: true, ...base };
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
