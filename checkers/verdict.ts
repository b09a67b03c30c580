import type { Op } from '../history/op.ts';

/** `true` holds, `false` violated, `'unknown'` the checker could not decide (time/memory budget, error). */
export type Validity = true | false | 'unknown';

/**
 * What a checker says of a history. A `false` carries a counterexample small
 * enough for a person to read; an `'unknown'` says why in `error` or `reason`.
 */
export interface Verdict {
  valid: Validity;
  /** Checker-specific figures and details (counterexample, distributions …). */
  [detail: string]: unknown;
}

/** A checker is pure: history in, verdict out, no I/O. It may throw; `compose` turns that into `'unknown'`. */
export type Checker<O = unknown> = (history: readonly Op[], opts?: O) => Verdict;
