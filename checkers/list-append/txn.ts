import type { Op } from '../../history/op.ts';

/** A list key: an EDN keyword arrives as a string, an integer as a number. */
export type Key = string | number;
/** An appended element; unique per key across the history. */
export type Element = string | number;

/** One micro-op of a transaction, Jepsen's `[:append k v]` or `[:r k [v …]]`. */
export type MicroOp = { f: 'append'; key: Key; value: Element } | { f: 'r'; key: Key; value: Element[] | null };

/** How a transaction ended: `ok` committed, `fail` surely did not, `info` may have (at any later time). */
export type TxnStatus = 'ok' | 'info' | 'fail';

/**
 * One transaction: an invoke of `f: 'txn'` and its completion. An invoke the
 * history never completes is `info`, as Jepsen reads it.
 */
export interface Txn {
  /** Dense id, 0-based, in order of invocation. */
  id: number;
  status: TxnStatus;
  process: number;
  invokeIndex: number;
  /** Index of the completion, `null` when the history ends first. */
  completeIndex: number | null;
  /**
   * The completion's micro-ops for `ok` (reads filled in), the invocation's
   * otherwise: an `info` or `fail` read observed nothing we can use.
   */
  mops: MicroOp[];
}

/** The op name Jepsen's list-append workload gives its transactions. */
export const TXN_F = 'txn';

/**
 * Pairs the `txn` ops of a history into transactions (pure). Other ops and
 * the nemesis are skipped, so a list-append history can carry fault events.
 * Throws an Error naming the op index for a value that is not a vector of
 * micro-ops, or a completion whose micro-ops differ in shape from its
 * invocation's; in an `ok` read, `nil` means the empty list (Jepsen's
 * stores return nil for a key never written).
 */
export function readTxns(history: readonly Op[]): Txn[] {
  const txns: Txn[] = [];
  const open = new Map<number, Txn>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.f !== TXN_F) continue;
    if (op.type === 'invoke') {
      const txn: Txn = { id: txns.length, status: 'info', process: op.process, invokeIndex: op.index, completeIndex: null, mops: parseMops(op, false) };
      txns.push(txn);
      open.set(op.process, txn);
      continue;
    }
    const txn = open.get(op.process);
    // The history reader checks pairing; a bare completion here means ops were filtered upstream.
    if (!txn) throw new Error(`op ${op.index}: "${op.type}" completion of a txn with no open invoke on process ${op.process}`);
    open.delete(op.process);
    txn.status = op.type === 'ok' ? 'ok' : op.type === 'fail' ? 'fail' : 'info';
    txn.completeIndex = op.index;
    if (op.type === 'ok') {
      const mops = parseMops(op, true);
      if (mops.length !== txn.mops.length || mops.some((m, i) => m.f !== txn.mops[i].f || m.key !== txn.mops[i].key)) {
        throw new Error(`op ${op.index}: the completed txn's micro-ops differ from its invocation's (op ${txn.invokeIndex}) in kind or key`);
      }
      txn.mops = mops;
    }
  }
  return txns;
}

function parseMops(op: Op, completed: boolean): MicroOp[] {
  const bad = (i: number | null, what: string): never => {
    throw new Error(`op ${op.index}: ${i === null ? '' : `micro-op ${i}: `}${what}; expected a txn value like [["append","x",1],["r","y",[1,2]]]`);
  };
  if (!Array.isArray(op.value)) return bad(null, `value ${show(op.value)} is not a vector of micro-ops`);
  return op.value.map((mop: unknown, i): MicroOp => {
    if (!Array.isArray(mop) || mop.length !== 3) return bad(i, `${show(mop)} is not [f k v]`);
    const [f, key, value] = mop as unknown[];
    if (!isAtom(key)) return bad(i, `key ${show(key)} is not a string or number`);
    if (f === 'append') {
      if (!isAtom(value)) return bad(i, `appended element ${show(value)} is not a string or number`);
      return { f, key, value };
    }
    if (f === 'r') {
      if (value === null) return { f, key, value: completed ? [] : null };
      if (!Array.isArray(value) || !value.every(isAtom)) return bad(i, `read value ${show(value)} is not nil or a list of elements`);
      return { f, key, value: value as Element[] };
    }
    return bad(i, `unknown micro-op ${show(f)} (list-append has "append" and "r")`);
  });
}

function isAtom(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
