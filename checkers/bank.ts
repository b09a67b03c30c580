import type { Op } from '../history/op.ts';
import type { Verdict } from './verdict.ts';

/** Options of {@link checkBank}. */
export interface BankOptions {
  /** What every read's balances must sum to (money is neither created nor destroyed). */
  total: number;
  /** When given, every read must show exactly these accounts. */
  accounts?: readonly string[];
}

/** A rule a read can break. */
export type BankRule = 'wrong-total' | 'negative-balance' | 'not-a-number' | 'missing-account' | 'unexpected-account';

/** One read that broke at least one rule. */
export interface BadRead {
  /** Index of the read's `ok` completion. */
  index: number;
  process: Op['process'];
  value: unknown;
  /** Sum of the numeric balances read. */
  sum: number;
  rules: BankRule[];
}

/** What {@link checkBank} reports. */
export interface BankVerdict extends Verdict {
  reads: number;
  badReads: number;
  /** The first bad reads, in history order, at most {@link FIRST_BAD_SHOWN}. */
  firstBad: BadRead[];
  /** How many reads summed to each wrong total, keyed by the sum. */
  wrongSums: Record<string, number>;
  /** How many transfers completed each way. */
  transfers: { ok: number; fail: number; info: number };
  counterexample?: BadRead;
}

const FIRST_BAD_SHOWN = 10;

/**
 * The bank invariant (pure; throws nothing). Ops are `read` (value: a map
 * account → balance) and `transfer` (`{from, to, amount}`, only counted: the
 * invariant is judged on what reads saw). Every `ok` read must show balances
 * that are all numbers, none negative, summing to `total`, and, when
 * `accounts` is given, exactly those accounts. A snapshot-isolated or
 * serializable store passes; one that lets a read see half a transfer fails
 * with `wrong-total`. `valid` is `false` iff any read breaks a rule, with the
 * first such read as counterexample; reads that `fail` or end `info` saw
 * nothing and are skipped.
 */
export function checkBank(history: readonly Op[], opts: BankOptions): BankVerdict {
  const expected = opts.accounts ? new Set(opts.accounts) : undefined;
  const transfers = { ok: 0, fail: 0, info: 0 };
  const bad: BadRead[] = [];
  const wrongSums: Record<string, number> = {};
  let reads = 0;

  for (const op of history) {
    if (op.process === 'nemesis' || op.type === 'invoke') continue;
    if (op.f === 'transfer') {
      transfers[op.type]++;
      continue;
    }
    if (op.f !== 'read' || op.type !== 'ok') continue;
    reads++;
    const balances = Object.entries((op.value ?? {}) as Record<string, unknown>);
    const rules = new Set<BankRule>();
    let sum = 0;
    for (const [account, balance] of balances) {
      if (typeof balance !== 'number' || !Number.isFinite(balance)) rules.add('not-a-number');
      else {
        sum += balance;
        if (balance < 0) rules.add('negative-balance');
      }
      if (expected && !expected.has(account)) rules.add('unexpected-account');
    }
    if (expected && [...expected].some((account) => !balances.some(([a]) => a === account))) rules.add('missing-account');
    if (sum !== opts.total) {
      rules.add('wrong-total');
      wrongSums[String(sum)] = (wrongSums[String(sum)] ?? 0) + 1;
    }
    if (rules.size > 0) bad.push({ index: op.index, process: op.process, value: op.value, sum, rules: [...rules] });
  }

  return {
    valid: bad.length === 0,
    reads,
    badReads: bad.length,
    firstBad: bad.slice(0, FIRST_BAD_SHOWN),
    wrongSums,
    transfers,
    ...(bad.length > 0 ? { counterexample: bad[0] } : {}),
  };
}
