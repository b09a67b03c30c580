import type { Op } from '../../history/op.ts';

/** A list key: an EDN keyword arrives as a string, an integer as a number. */
export type Key = string | number;
/** An appended element; unique per key across the history. */
export type Element = string | number;

/**
 * One micro-op of a transaction: Jepsen's `[:append k v]` and `[:r k [v …]]`
 * on a list key, `[:w k v]` and `[:r k v]` on a register key. A register
 * read is told apart as `f: 'read'` (its value one element, `null` for a
 * register never written), once the history shows which kind each key is.
 */
export type MicroOp =
  | { f: 'append'; key: Key; value: Element }
  | { f: 'r'; key: Key; value: Element[] | null }
  | { f: 'w'; key: Key; value: Element }
  | { f: 'read'; key: Key; value: Element | null };

/** A micro-op as written, before its key's kind is known. */
type RawMop = { f: 'append' | 'w'; key: Key; value: Element } | { f: 'r'; key: Key; value: Element[] | Element | null };

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
 * micro-ops, a completion whose micro-ops differ in kind or key from its
 * invocation's, or a key used both as a list and as a register. In an `ok`
 * read of a list, `nil` means the empty list (Jepsen's stores return nil for
 * a key never written).
 */
export function readTxns(history: readonly Op[]): Txn[] {
  const txns: Array<Omit<Txn, 'mops'> & { mops: RawMop[] }> = [];
  const open = new Map<number, (typeof txns)[number]>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.f !== TXN_F) continue;
    if (op.type === 'invoke') {
      const txn = {
        id: txns.length,
        status: 'info' as TxnStatus,
        process: op.process,
        invokeIndex: op.index,
        completeIndex: null as number | null,
        mops: parseMops(op),
      };
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
      const mops = parseMops(op);
      if (mops.length !== txn.mops.length || mops.some((m, i) => m.f !== txn.mops[i].f || m.key !== txn.mops[i].key)) {
        throw new Error(`op ${op.index}: the completed txn's micro-ops differ from its invocation's (op ${txn.invokeIndex}) in kind or key`);
      }
      txn.mops = mops;
    }
  }
  const registers = registerKeys(txns);
  return txns.map((t) => ({ ...t, mops: t.mops.map((m) => settle(m, registers.has(m.key), t.status === 'ok')) }));
}

/** The keys some micro-op shows to be registers (a write, a read of one element); throws for a key also shown to be a list. */
function registerKeys(txns: ReadonlyArray<{ completeIndex: number | null; invokeIndex: number; mops: RawMop[] }>): Set<Key> {
  const seen = new Map<Key, { register: boolean; op: number }>();
  for (const t of txns) {
    for (const m of t.mops) {
      if (m.f === 'r' && m.value === null) continue;
      const register = m.f === 'w' || (m.f === 'r' && !Array.isArray(m.value));
      const op = t.completeIndex ?? t.invokeIndex;
      const before = seen.get(m.key);
      if (!before) seen.set(m.key, { register, op });
      else if (before.register !== register) {
        const kind = (r: boolean) => (r ? 'a register' : 'a list');
        throw new Error(`op ${op}: key ${JSON.stringify(m.key)} is used as ${kind(register)} here and as ${kind(before.register)} at op ${before.op}`);
      }
    }
  }
  return new Set([...seen].filter(([, s]) => s.register).map(([k]) => k));
}

/** A raw micro-op as what its key is: on a list key `nil` read by a committed txn is the empty list. */
function settle(m: RawMop, register: boolean, committed: boolean): MicroOp {
  if (m.f !== 'r') return m;
  if (register) return { f: 'read', key: m.key, value: m.value as Element | null };
  return { f: 'r', key: m.key, value: m.value === null ? (committed ? [] : null) : (m.value as Element[]) };
}

function parseMops(op: Op): RawMop[] {
  const bad = (i: number | null, what: string): never => {
    throw new Error(`op ${op.index}: ${i === null ? '' : `micro-op ${i}: `}${what}; expected a txn value like [["append","x",1],["r","y",[1,2]]]`);
  };
  if (!Array.isArray(op.value)) return bad(null, `value ${show(op.value)} is not a vector of micro-ops`);
  return op.value.map((mop: unknown, i): RawMop => {
    if (!Array.isArray(mop) || mop.length !== 3) return bad(i, `${show(mop)} is not [f k v]`);
    const [f, key, value] = mop as unknown[];
    if (!isAtom(key)) return bad(i, `key ${show(key)} is not a string or number`);
    if (f === 'append' || f === 'w') {
      if (!isAtom(value)) return bad(i, `${f === 'w' ? 'written value' : 'appended element'} ${show(value)} is not a string or number`);
      return { f, key, value };
    }
    if (f === 'r') {
      if (value === null || isAtom(value)) return { f, key, value };
      if (!Array.isArray(value) || !value.every(isAtom)) return bad(i, `read value ${show(value)} is not nil, an element or a list of elements`);
      return { f, key, value: value as Element[] };
    }
    return bad(i, `unknown micro-op ${show(f)} (lists have "append" and "r", registers "w" and "r")`);
  });
}

function isAtom(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
