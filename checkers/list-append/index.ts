import type { Op } from '../../history/op.ts';
import type { Validity, Verdict } from '../verdict.ts';
import { Budget, findCycles } from './cycles.ts';
import { type Anomaly, explainCycle, explainRead } from './explain.ts';
import { GraphBuilder } from './graph.ts';
import { Inference } from './infer.ts';
import { type AnomalyType, bySeverity, CONSISTENCY_MODELS, type ConsistencyModel, modelsRuledOutBy, needsRealtime } from './models.ts';
import { addProcessEdges, addRealtimeEdges } from './order.ts';
import { RegisterInference } from './register.ts';
import { readTxns } from './txn.ts';

export type { Anomaly, CycleAnomaly, CycleStep, ReadAnomalyReport, TxnRef } from './explain.ts';
export type { AnomalyType, ConsistencyModel } from './models.ts';
export { CONSISTENCY_MODELS } from './models.ts';
export type { Element, Key, MicroOp } from './txn.ts';

/** Options of {@link checkListAppend}. */
export interface ListAppendOptions {
  /** The models the history must satisfy: `valid` is false when it rules out any. Default `['strict-serializable']`, as Elle's. */
  consistencyModels?: readonly ConsistencyModel[];
  /** Add real-time edges (T1 completed before T2 began). Default: when a model asked for is strict serializable. */
  realtime?: boolean;
  /** Add process-order edges (each process's txns in the order it ran them). Default false. */
  process?: boolean;
  /** Wall-clock budget for the cycle searches that are not linear, ms. Default 60,000. */
  timeoutMs?: number;
  /** The same budget in BFS steps, for a deterministic bound. Default unbounded. */
  maxSearchSteps?: number;
  /** How many examples of each anomaly type the verdict carries. Default 8. */
  examples?: number;
}

/** What {@link checkListAppend} says of a history. */
export interface ListAppendVerdict extends Verdict {
  consistencyModels: ConsistencyModel[];
  /** Transactions by how they ended. */
  txns: { ok: number; info: number; fail: number };
  /** Dependency edges inferred (ordered pairs of txns). */
  edges: number;
  /** Anomaly types found, most severe first. */
  anomalyTypes: AnomalyType[];
  /** How many of each were found: read anomalies one per bad read, cycles one per strongly connected component and class. */
  anomalyCounts: Partial<Record<AnomalyType, number>>;
  /** The first examples of each type (shortest cycles first), explained. */
  anomalies: Partial<Record<AnomalyType, Anomaly[]>>;
  /** The models the anomalies found rule out, weakest first: Elle's `:not`. */
  ruledOut: ConsistencyModel[];
  /** Models neither ruled out nor cleared: a cycle search ran out of budget where it could have found an anomaly that rules them out. */
  undecided: ConsistencyModel[];
  /** Why `valid` is `'unknown'`. */
  reason?: string;
  /** The first example of the most severe anomaly that rules out a model asked for. */
  counterexample?: Anomaly;
  elapsedMs: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_EXAMPLES = 8;

/**
 * Elle's list-append checker, our own implementation (pure; reads the
 * clock for `elapsedMs` and the budget only). Ops are `f: 'txn'` with a
 * value of micro-ops, `["append", k, v]` and `["r", k, [v …]]`, as in
 * Jepsen's EDN, and on keys of their own read-write registers, `["w", k, v]`
 * and `["r", k, v]`, checked as far as they allow (`register.ts`); other ops
 * are skipped. Infers ww, wr and rw dependencies from the lists read (see
 * `infer.ts`), adds real-time and process edges when
 * asked, finds cycles in each strongly connected component and names them
 * with Adya's anomalies (`cycles.ts`), and reports the models they rule out.
 * `info` txns may have committed: their appends count once someone reads
 * them, and never otherwise.
 *
 * `valid` is `false` when an anomaly rules out a model in
 * `consistencyModels`; else `'unknown'` when a search ran out of budget
 * where it could have ruled one out, or when no committed txn read anything
 * (no evidence either way: an empty history is not a pass); else `true`.
 * Throws an Error naming the op for a malformed txn value, a key used both
 * as a list and as a register, or two appends of one element (writes of one
 * value) to one key: the inference needs each element to name its writer.
 */
export function checkListAppend(history: readonly Op[], opts: ListAppendOptions = {}): ListAppendVerdict {
  const started = performance.now();
  const models = [...(opts.consistencyModels ?? ['strict-serializable'])];
  for (const m of models) if (!CONSISTENCY_MODELS.includes(m)) throw new Error(`unknown consistency model "${m}"; known: ${CONSISTENCY_MODELS.join(', ')}`);
  const examples = opts.examples ?? DEFAULT_EXAMPLES;

  const txns = readTxns(history);
  const lists = new Inference(txns);
  const registers = new RegisterInference(txns);
  const builder = new GraphBuilder(txns.length);
  lists.addEdges(builder);
  registers.addEdges(builder);
  if (opts.process) addProcessEdges(txns, builder);
  if (opts.realtime ?? needsRealtime(models)) addRealtimeEdges(history, txns, builder);
  const graph = builder.build();
  const budget = new Budget(opts.maxSearchSteps, started + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  const search = findCycles(graph, budget);

  const counts: Partial<Record<AnomalyType, number>> = {};
  const anomalies: Partial<Record<AnomalyType, Anomaly[]>> = {};
  const shown = (type: AnomalyType) => {
    counts[type] = (counts[type] ?? 0) + 1;
    return (anomalies[type] ??= []).length < examples ? anomalies[type] : undefined;
  };
  for (const a of [...lists.anomalies, ...registers.anomalies]) shown(a.type)?.push(explainRead(a, txns));
  const why = (a: number, b: number, kind: number) => lists.why(a, b, kind) ?? registers.why(a, b, kind);
  const cycles = [...search.cycles].sort((a, b) => a.nodes.length - b.nodes.length || a.nodes[0] - b.nodes[0]);
  for (const c of cycles) shown(c.type)?.push(explainCycle(c, txns, why));

  const anomalyTypes = (Object.keys(counts) as AnomalyType[]).sort(bySeverity);
  const ruledOut = CONSISTENCY_MODELS.filter((m) => anomalyTypes.some((t) => modelsRuledOutBy(t).includes(m)));
  const undecided = CONSISTENCY_MODELS.filter((m) => !ruledOut.includes(m) && search.undecided.some((t) => modelsRuledOutBy(t).includes(m)));
  const failing = anomalyTypes.find((t) => modelsRuledOutBy(t).some((m) => models.includes(m)));
  const tally = { ok: 0, info: 0, fail: 0 };
  for (const t of txns) tally[t.status]++;
  const evidence = txns.some((t) => t.status === 'ok' && t.mops.some((m) => m.f === 'r' || m.f === 'read'));

  let valid: Validity = true;
  let reason: string | undefined;
  if (failing) valid = false;
  else if (undecided.some((m) => models.includes(m))) {
    valid = 'unknown';
    reason = `the cycle search ran out of budget deciding ${search.undecided.join(', ')}`;
  } else if (!evidence) {
    valid = 'unknown';
    reason = txns.length === 0 ? 'no transactions: nothing to judge' : 'no committed transaction read anything: no evidence either way';
  }

  return {
    valid,
    consistencyModels: models,
    txns: tally,
    edges: graph.edgeCount,
    anomalyTypes,
    anomalyCounts: counts,
    anomalies,
    ruledOut,
    undecided,
    ...(reason ? { reason } : {}),
    ...(failing ? { counterexample: anomalies[failing]![0] } : {}),
    elapsedMs: performance.now() - started,
  };
}
