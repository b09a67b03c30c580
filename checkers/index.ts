/** The checkers' public API: pure functions from a history to a verdict. */
export type { Checker, Validity, Verdict } from './verdict.ts';
export { checkStaleness, VISIBILITY_BUCKETS_MS, type StalenessOptions, type StalenessVerdict } from './staleness.ts';
export { checkSetFull, type SetFullOptions, type SetFullVerdict } from './set-full.ts';
export { checkBank, type BankOptions, type BankVerdict } from './bank.ts';
export { compose, type BoundChecker, type ComposedVerdict } from './compose.ts';
