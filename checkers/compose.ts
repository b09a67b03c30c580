import type { Op } from '../history/op.ts';
import type { Validity, Verdict } from './verdict.ts';

/** A checker already bound to its options: history in, verdict out. */
export type BoundChecker = (history: readonly Op[]) => Verdict;

/** The merged verdict of {@link compose}: each checker's verdict under its name. */
export interface ComposedVerdict extends Verdict {
  results: Record<string, Verdict>;
}

/** Severity of a validity: the merged verdict takes the highest. */
const rank = (valid: Validity): number => (valid === true ? 0 : valid === 'unknown' ? 1 : 2);

/**
 * Runs several checkers on one history, as Jepsen's `compose` (the returned
 * checker is pure if they are; it never throws). The merged `valid` is the
 * worst of theirs: `false` > `'unknown'` > `true`, and `true` for no checkers.
 * A checker that throws, or returns something without a `true`/`false`/
 * `'unknown'` `valid`, yields `{ valid: 'unknown', error }` under its name —
 * never a pass.
 */
export function compose(checkers: Record<string, BoundChecker>): (history: readonly Op[]) => ComposedVerdict {
  return (history) => {
    const results: Record<string, Verdict> = {};
    let valid: Validity = true;
    for (const [name, check] of Object.entries(checkers)) {
      let verdict: Verdict;
      try {
        verdict = check(history);
        const v: unknown = verdict?.valid;
        if (v !== true && v !== false && v !== 'unknown') {
          verdict = { valid: 'unknown', error: `checker returned no valid true/false/'unknown': ${JSON.stringify(v)}` };
        }
      } catch (err) {
        verdict = { valid: 'unknown', error: err instanceof Error ? err.message : String(err) };
      }
      results[name] = verdict;
      if (rank(verdict.valid) > rank(valid)) valid = verdict.valid;
    }
    return { valid, results };
  };
}
