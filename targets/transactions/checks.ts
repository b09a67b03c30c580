import { type BankVerdict, checkBank } from '../../checkers/bank.ts';
import { finalState } from '../../checkers/after-quiescence.ts';
import { checkOrderSaga, type OrderSagaVerdict } from '../../checkers/order-saga.ts';
import { type AtomicityVerdict, checkTransferAtomicity } from '../../checkers/transfer-atomicity.ts';
import type { Op } from '../../history/op.ts';
import { validityWord } from '../../reports/verdict-text.ts';
import type { CaseFiles, Check } from '../family.ts';

/** The money in the bank: every open account of both shards starts with `initialBalance`; closed accounts hold 0. */
export function bankTotal(options: Readonly<Record<string, unknown>>): number {
  return 2 * Number(options.accountsPerShard) * Number(options.initialBalance);
}

/** Every account of both shards, as the bank patterns seed them. */
export function bankAccounts(options: Readonly<Record<string, unknown>>): string[] {
  const n = Number(options.accountsPerShard);
  return ['a', 'b'].flatMap((s) => [...Array.from({ length: n }, (_, i) => `${s}${i}`), `${s}-closed`]);
}

const isRead = (op: Op) => op.f === 'read' && op.process !== 'nemesis';

/** The history with only the reads `keep` selects (transfers stay: the bank checker counts them). */
const readsWhere = (history: readonly Op[], keep: (op: Op, invoke: Op | undefined) => boolean): Op[] => {
  const invokes = new Map<Op['process'], Op>();
  return history.filter((op) => {
    if (!isRead(op)) return op.f === 'transfer';
    if (op.type === 'invoke') invokes.set(op.process, op);
    return keep(op, op.type === 'invoke' ? op : invokes.get(op.process));
  });
};

const bankSummary = (v: BankVerdict) =>
  `${validityWord(v.valid)}, ${v.badReads} of ${v.reads} reads off the total${Object.keys(v.wrongSums).length ? ` (sums seen: ${Object.keys(v.wrongSums).slice(0, 5).join(', ')})` : ''}`;

/**
 * The checks of the transactions family, by name:
 * - bank: `atomicity`, `conservation`, `read-atomicity`;
 * - orders: `order-outcomes`.
 */
export const transactionChecks: Record<string, Check> = {
  atomicity: {
    description: 'after quiescence every transfer is applied on both shards or on neither, as the client was told (ledgers in the final audit)',
    run: ({ history }) => checkTransferAtomicity(history),
    summary: (verdict) => {
      const v = verdict as AtomicityVerdict;
      if (v.valid === 'unknown') return `unknown: ${v.reason}`;
      const rules = Object.entries(v.byRule).map(([rule, n]) => `${n} ${rule}`);
      return `${validityWord(v.valid)}, ${v.applied} applied and ${v.none} with no effect of ${v.transfers} transfers${rules.length ? `; ${rules.join(', ')}` : ''}`;
    },
  },
  conservation: {
    description:
      'the balances sum to the money the bank started with, none negative, in the reads taken with nothing in flight (before the load, after quiescence)',
    run: ({ history, options }: CaseFiles) => {
      const final = finalState(history);
      if (!final.settled) return { valid: 'unknown', reason: final.reason };
      const snapshots = readsWhere(history, (_op, invoke) => Boolean(invoke?.initial || invoke?.final));
      const verdict = checkBank(snapshots, { total: bankTotal(options), accounts: bankAccounts(options) });
      return verdict.reads === 0 ? { ...verdict, valid: 'unknown', reason: 'no read was taken with nothing in flight' } : verdict;
    },
    summary: (v) => (v.valid === 'unknown' ? `unknown: ${v.reason}` : bankSummary(v as BankVerdict)),
  },
  'read-atomicity': {
    description:
      'every read, during the load too, sums to the total: a cut in which each transfer is whole (what 2PC with locking reads promises, sagas and the outbox do not)',
    run: ({ history, options }: CaseFiles) =>
      checkBank(
        readsWhere(history, () => true),
        { total: bankTotal(options), accounts: bankAccounts(options) },
      ),
    summary: (v) => bankSummary(v as BankVerdict),
  },
  'order-outcomes': {
    description:
      'after quiescence every order is completed with all its effects or ended with none; no double charge, no orphaned reservation, no oversold stock; clients told the truth',
    run: ({ history, options }: CaseFiles) =>
      checkOrderSaga(history, {
        initialStock: Object.fromEntries(Array.from({ length: Number(options.skus) }, (_, i) => [`sku-${i}`, Number(options.initialStock)])),
      }),
    summary: (verdict) => {
      const v = verdict as OrderSagaVerdict;
      if (v.valid === 'unknown') return `unknown: ${v.reason}`;
      const rules = Object.entries(v.byRule).map(([rule, n]) => `${n} ${rule}`);
      return `${validityWord(v.valid)}, ${v.completed} completed, ${v.rejected} rejected, ${v.compensated} compensated of ${v.orders} orders${rules.length ? `; ${rules.join(', ')}` : ''}`;
    },
  },
};
