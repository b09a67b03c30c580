import type { Op } from '../history/op.ts';

/**
 * The state a workload recorded after the load, once nothing was in flight:
 * its last `settle` op (ok: the service reported nothing in flight; info: it
 * gave up waiting) and the last ok `audit` after it. Workloads of the
 * transactions family end so (k6 `teardown`): settle, then audit.
 */
export type FinalState = { settled: true; audit: Op; settleIndex: number } | { settled: false; reason: string };

/** Finds the final audit (pure). Not settled — and so, for a checker, `unknown` — when no settle succeeded or no audit followed it. */
export function finalState(history: readonly Op[]): FinalState {
  let settle: Op | undefined;
  for (const op of history) if (op.f === 'settle' && op.type !== 'invoke' && op.process !== 'nemesis') settle = op;
  if (!settle) return { settled: false, reason: 'the history has no settle op: the workload never waited for quiescence' };
  if (settle.type !== 'ok')
    return { settled: false, reason: `the service was still busy when the workload stopped waiting: ${JSON.stringify(settle.value).slice(0, 300)}` };
  const audit = history.slice(settle.index + 1).findLast((op) => op.f === 'audit' && op.type === 'ok');
  if (!audit) return { settled: false, reason: 'no audit succeeded after the service settled' };
  return { settled: true, audit, settleIndex: settle.index };
}
