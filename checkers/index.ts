/** The checkers' public API: pure functions from a history to a verdict, and the models linearizability is checked against. */
export type { Checker, Validity, Verdict } from './verdict.ts';
export { checkLinearizable, type LinearOptions, type LinearVerdict } from './linearizability/index.ts';
export { models, defineModel, type Model, type ModelOp, type ModelSpec } from './models/index.ts';
export { checkStaleness, VISIBILITY_BUCKETS_MS, type StalenessOptions, type StalenessVerdict } from './staleness.ts';
export { checkSetFull, type SetFullOptions, type SetFullVerdict } from './set-full.ts';
export { checkLostWrites, type LostWritesOptions, type LostWritesVerdict } from './lost-writes.ts';
export { checkBank, type BankOptions, type BankVerdict } from './bank.ts';
export { checkLock, type CounterTally, type LockOptions, type LockVerdict } from './lock.ts';
export { checkConvergence, type ConvergenceVerdict, type KeyConvergence } from './convergence.ts';
export { compose, type BoundChecker, type ComposedVerdict } from './compose.ts';
export { checkListAppend, CONSISTENCY_MODELS, type ListAppendOptions, type ListAppendVerdict } from './list-append/index.ts';
export { finalState, type FinalState } from './after-quiescence.ts';
export { checkTransferAtomicity, type AtomicityVerdict, type TransferEffects } from './transfer-atomicity.ts';
export { checkOrderSaga, type OrderSagaOptions, type OrderSagaVerdict } from './order-saga.ts';
export { orderWindows, transferWindows, type WindowFigures } from './inconsistency-windows.ts';
export { inDoubt, throughputWhile, type InDoubtFigures } from './in-doubt.ts';
