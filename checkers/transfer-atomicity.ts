import type { Op } from '../history/op.ts';
import { finalState } from './after-quiescence.ts';
import type { Verdict } from './verdict.ts';

/** One ledger entry of a transfer as the audit reports it. */
interface Entry {
  amount: number;
  atMs: number;
}

/** A transfer's ledger entries on both shards (`GET /audit`'s `transfers`). */
export interface TransferEffects {
  debit?: Entry;
  credit?: Entry;
  refund?: Entry;
}

/** What went wrong with one transfer. */
export type AtomicityRule =
  /** Some but not all of its effects remain: money taken and not given, or given and not taken. */
  | 'partial'
  /** An entry of an amount that is neither the transfer's nor 0. */
  | 'wrong-amount'
  /** The client was told it happened (`committed`, `completed`) and it did not. */
  | 'lost-acknowledged'
  /** The client was told it surely did not happen (a 409) and it did. */
  | 'applied-after-fail'
  /** Effects of a transfer no client asked for. */
  | 'phantom';

export interface AtomicityViolation {
  transfer: string;
  rule: AtomicityRule;
  /** What the client asked for and was told, and what the ledgers hold. */
  asked?: unknown;
  told?: string;
  effects?: TransferEffects;
}

export interface AtomicityVerdict extends Verdict {
  /** Transfers invoked, and how each ended on the ledgers. */
  transfers: number;
  applied: number;
  none: number;
  violations: number;
  /** The first violations, in transfer order, at most 10. */
  firstViolations: AtomicityViolation[];
  byRule: Partial<Record<AtomicityRule, number>>;
  counterexample?: AtomicityViolation;
  reason?: string;
}

const SHOWN = 10;

/**
 * Atomicity of cross-shard transfers after quiescence (pure; throws
 * nothing). Every `transfer` op invoked (value `{ id, from, to, amount }`)
 * must have, in the final audit's ledgers, all its effects — a debit of
 * −amount, a credit of +amount, no refund — or none in net: nothing, entries
 * of 0 (steps refused or cancelled), or a debit undone by a refund of the
 * same amount. Then what the client was told must hold: an `ok` whose
 * `outcome` is `committed` or `completed` must be applied; a `fail` (409)
 * must have no net effect; an `ok` `accepted` (the outbox) may end either
 * way (its credit can be returned to a closed account); an `info` may end
 * either way. Ledger entries of transfers no one invoked are violations.
 * `unknown` when the history has no settled final audit.
 */
export function checkTransferAtomicity(history: readonly Op[]): AtomicityVerdict {
  const empty = { transfers: 0, applied: 0, none: 0, violations: 0, firstViolations: [], byRule: {} };
  const final = finalState(history);
  if (!final.settled) return { valid: 'unknown', ...empty, reason: final.reason };
  const effects = ((final.audit.value as { transfers?: Record<string, TransferEffects> })?.transfers ?? {}) as Record<string, TransferEffects>;

  const asked = new Map<string, { from: string; to: string; amount: number }>();
  const told = new Map<string, { type: Op['type']; outcome?: string }>();
  const invoked = new Map<Op['process'], string>();
  for (const op of history) {
    if (op.f !== 'transfer' || op.process === 'nemesis') continue;
    const value = op.value as { id: string; from: string; to: string; amount: number };
    if (op.type === 'invoke') {
      asked.set(value.id, value);
      invoked.set(op.process, value.id);
      continue;
    }
    const id = invoked.get(op.process) ?? value?.id;
    if (id !== undefined) told.set(id, { type: op.type, outcome: op.outcome as string | undefined });
  }

  const violations: AtomicityViolation[] = [];
  let applied = 0;
  let none = 0;
  for (const [id, t] of asked) {
    const e = effects[id] ?? {};
    const debit = e.debit?.amount ?? 0;
    const credit = e.credit?.amount ?? 0;
    const refund = e.refund?.amount ?? 0;
    const answer = told.get(id);
    const said = answer ? (answer.type === 'ok' ? (answer.outcome ?? 'ok') : answer.type) : 'nothing';
    const violation = (rule: AtomicityRule) => violations.push({ transfer: id, rule, asked: t, told: said, effects: e });
    if (![0, -t.amount].includes(debit) || ![0, t.amount].includes(credit) || ![0, t.amount].includes(refund)) {
      violation('wrong-amount');
      continue;
    }
    const isApplied = debit === -t.amount && credit === t.amount && refund === 0;
    const isNone = debit + refund === 0 && credit === 0;
    if (isApplied) applied++;
    else if (isNone) none++;
    else {
      violation('partial');
      continue;
    }
    if (answer?.type === 'ok' && (answer.outcome === 'committed' || answer.outcome === 'completed') && !isApplied) violation('lost-acknowledged');
    if (answer?.type === 'fail' && !isNone) violation('applied-after-fail');
  }
  for (const [id, e] of Object.entries(effects)) {
    const net = Math.abs(e.debit?.amount ?? 0) + Math.abs(e.credit?.amount ?? 0) + Math.abs(e.refund?.amount ?? 0);
    if (!asked.has(id) && net > 0) violations.push({ transfer: id, rule: 'phantom', effects: e });
  }
  const byRule: Partial<Record<AtomicityRule, number>> = {};
  for (const v of violations) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
  return {
    valid: violations.length === 0,
    transfers: asked.size,
    applied,
    none,
    violations: violations.length,
    firstViolations: violations.slice(0, SHOWN),
    byRule,
    ...(violations.length > 0 ? { counterexample: violations[0] } : {}),
  };
}
