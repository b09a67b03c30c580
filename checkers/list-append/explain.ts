import type { Cycle, CycleType } from './cycles.ts';
import { KIND_NAMES, type EdgeKind, PROCESS, REALTIME } from './graph.ts';
import type { ReadAnomaly, ReadAnomalyType, Witness } from './infer.ts';
import type { Element, Key, Txn } from './txn.ts';

/** A transaction as a verdict names it: `T1`, `T2` … within one anomaly, and where to find it in the history. */
export interface TxnRef {
  name: string;
  /** Index of its completion, or of its invocation when it never completed. */
  index: number;
  process: number;
  type: Txn['status'];
  /** Its micro-ops, Jepsen's shape: `[f, key, value]`. */
  value: Array<[string, Key, unknown]>;
}

/** One step of a cycle: `from` must precede `to` because of `kind`, shown by `key` and its elements. */
export interface CycleStep {
  from: string;
  to: string;
  kind: EdgeKind;
  key?: Key;
  /** ww: the earlier element; wr: the element read. */
  x?: Element;
  /** ww: the later element; rw: the element the read did not see. */
  y?: Element;
  /** wr, rw: the list read; for a register, the value (`null`: never written). */
  read?: Element[] | Element | null;
}

/** A dependency cycle: the transactions in cycle order, each step, and the whole in words. */
export interface CycleAnomaly {
  type: CycleType;
  txns: TxnRef[];
  steps: CycleStep[];
  explanation: string;
}

/** An anomaly of one read (or one transaction's reads), in words. */
export interface ReadAnomalyReport {
  type: ReadAnomalyType;
  /** The reader first, then the writer or the other reader when there is one. */
  txns: TxnRef[];
  key: Key;
  /** The list read; for a register, the value (`null`: never written). */
  read: Element[] | Element | null;
  element?: Element;
  expected?: Array<Element | null>;
  explanation: string;
}

/** What a verdict lists under each anomaly type. */
export type Anomaly = CycleAnomaly | ReadAnomalyReport;

/** Puts a cycle into words: each step a clause, from what `why` says shows each data edge. Pure. */
export function explainCycle(cycle: Cycle, txns: readonly Txn[], why: (a: number, b: number, kind: number) => Witness | undefined): CycleAnomaly {
  const names = cycle.nodes.map((_, i) => `T${i + 1}`);
  const steps: CycleStep[] = [];
  const clauses: string[] = [];
  cycle.nodes.forEach((a, i) => {
    const b = cycle.nodes[(i + 1) % cycle.nodes.length];
    const [A, B] = [names[i], names[(i + 1) % names.length]];
    const kind = kindName(cycle.kinds[i]);
    if (cycle.kinds[i] === PROCESS || cycle.kinds[i] === REALTIME) {
      steps.push({ from: A, to: B, kind });
      clauses.push(`${A} completed before ${B} began${kind === 'process' ? `, both on process ${txns[a].process}` : ''} (${kind})`);
      return;
    }
    // The graph was built from the same inferences, so every data edge has its witness.
    const { key, x, y, read, register } = why(a, b, cycle.kinds[i])!;
    steps.push({ from: A, to: B, kind, key, ...(x !== undefined ? { x } : {}), ...(y !== undefined ? { y } : {}), ...(read !== undefined ? { read } : {}) });
    if (register && kind === 'wr') clauses.push(`${B} read ${show(key)} = ${show(x)}, which ${A} wrote (wr)`);
    else if (register) clauses.push(`${A} read ${show(key)} = nil, never written, and ${B} wrote ${show(y)} to it (rw)`);
    else if (kind === 'ww') clauses.push(`${A} appended ${show(x)} to ${show(key)} and ${B} appended ${show(y)} after it (ww)`);
    else if (kind === 'wr') clauses.push(`${B} read ${show(key)} = ${show(read)}, seeing ${A}'s append of ${show(x)} (wr)`);
    else clauses.push(`${A} read ${show(key)} = ${show(read)} without ${show(y)}, which ${B} appended (rw)`);
  });
  const explanation = `${clauses.join('; ')}. Each step puts its first txn before its second, so ${names[0]} would have to come before itself.`;
  return { type: cycle.type, txns: cycle.nodes.map((t, i) => ref(txns[t], names[i])), steps, explanation };
}

/** Puts a read anomaly into words. Pure. */
export function explainRead(anomaly: ReadAnomaly, txns: readonly Txn[]): ReadAnomalyReport {
  const { type, key, read, element: e, expected } = anomaly;
  const other = anomaly.writer ?? anomaly.other?.txn;
  const refs = [ref(txns[anomaly.txn], 'T1'), ...(other === undefined ? [] : [ref(txns[other], 'T2')])];
  const saw = `T1 read ${show(key)} = ${anomaly.register && read === null ? 'nil' : show(read)}`;
  const registerWords: Partial<Record<ReadAnomalyType, () => string>> = {
    G1a: () => `${saw}, written by T2, a txn that failed (aborted read)`,
    G1b: () => `${saw}, which T2 wrote before writing ${show(key)} again (intermediate read)`,
    internal: () => `${saw}, but it had last written or read ${expected![0] === null ? 'nil' : show(expected![0])} there (internal inconsistency)`,
    'future-read': () => `${saw}, a value T1 itself writes only later (future read)`,
    'garbage-read': () => `${saw}, a value no transaction wrote to ${show(key)} (garbage read)`,
  };
  const words: Record<ReadAnomalyType, () => string> = {
    G1a: () => `${saw}, which holds ${show(e)}, appended by T2, a txn that failed (aborted read)`,
    G1b: () => `${saw}, ending in ${show(e)}, which T2 appended to ${show(key)} before appending more to it (intermediate read)`,
    // An expected list led by null has an unknown prefix: show() writes it `[… 3 4]`.
    internal: () => `${saw}, but its own earlier micro-ops say it must read ${show(expected)} (internal inconsistency)`,
    'future-read': () => `${saw}, which holds ${show(e)}, an element T1 itself appends only later (future read)`,
    'garbage-read': () => `${saw}, which holds ${show(e)}, an element no transaction appended to ${show(key)} (garbage read)`,
    'duplicate-elements': () => `${saw}, which holds ${show(e)} more than once: one append took effect twice`,
    'incompatible-order': () => `${saw}, and T2 read it as ${show(expected)}: no one order of appends gives both (incompatible order)`,
  };
  return {
    type,
    txns: refs,
    key,
    read,
    ...(e !== undefined ? { element: e } : {}),
    ...(expected ? { expected } : {}),
    explanation: ((anomaly.register && registerWords[type]) || words[type])(),
  };
}

function ref(t: Txn, name: string): TxnRef {
  return {
    name,
    index: t.completeIndex ?? t.invokeIndex,
    process: t.process,
    type: t.status,
    // Jepsen's names: a register read is `r` too.
    value: t.mops.map((m) => [m.f === 'read' ? 'r' : m.f, m.key, m.value]),
  };
}

function kindName(bit: number): EdgeKind {
  return KIND_NAMES.find(([b]) => b === bit)![1];
}

/** EDN-like: `x`, `3`, `[1 2 3]`. */
function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (v === null) return '…';
  return String(v);
}
