import { checkConvergence, type ConvergenceVerdict } from '../../checkers/convergence.ts';
import { checkLinearizable } from '../../checkers/linearizability/index.ts';
import { checkLock, type LockVerdict } from '../../checkers/lock.ts';
import { checkStaleness, type StalenessVerdict } from '../../checkers/staleness.ts';
import type { Op } from '../../history/op.ts';
import { validityWord } from '../../reports/verdict-text.ts';
import type { Check } from '../family.ts';

/**
 * The registers of a history: its read, write and compare-and-set ops on
 * keys no increment or add touched (a counter's reads are no register's),
 * and every nemesis op. Every register starts as `null`: the workload writes
 * nothing before the load.
 */
export function registerOps(history: readonly Op[]): Op[] {
  const other = new Set(history.filter((op) => op.f === 'incr' || op.f === 'add').map((op) => op.key));
  return history.filter((op) => op.process === 'nemesis' || (['read', 'write', 'cas'].includes(op.f) && !other.has(op.key)));
}

export const consistencyChecks: Record<string, Check> = {
  linearizable: {
    description: 'linearizability per key, each key a compare-and-set register (the kv model)',
    run: ({ history }) => checkLinearizable(registerOps(history), { model: 'kv', init: null, timeoutMs: 60_000 }),
    view: 'linearizability',
  },
  staleness: {
    description: 'how stale each register read was (k versions, t ms), and the PBS t-visibility curve',
    run: ({ history }) => checkStaleness(registerOps(history), { init: null }),
    summary: (v) => {
      const s = v as StalenessVerdict;
      return `${validityWord(s.valid)}, ${(s.staleFraction * 100).toFixed(1)}% of ${s.reads} reads stale (k max ${s.k?.max ?? 0}, t max ${Math.round(s.tMs?.max ?? 0)} ms)`;
    },
  },
  lock: {
    description: 'counters under a lock: lost increments against the final reads, and two holders in the critical section at once',
    run: ({ history }) => checkLock(history),
    summary: (v) => {
      const l = v as LockVerdict;
      const oks = l.counters.reduce((n, c) => n + c.ok, 0);
      return `${validityWord(l.valid)}, ${l.lostIncrements} of ${oks} acknowledged increments lost, ${l.staleReads} read what another had read, ${l.mutualExclusionViolations} time(s) two holders at once${l.reason ? ` (${l.reason})` : ''}`;
    },
  },
  convergence: {
    description: 'replicas end on the same value (strong eventual consistency), and how long after the heal they held every earlier write',
    run: ({ history }) => checkConvergence(history),
    summary: (v) => {
      const c = v as ConvergenceVerdict;
      const apart = c.keys.filter((k) => !k.converged).length;
      const when = c.convergeMs === null ? 'no convergence time' : `converged ${Math.round(c.convergeMs)} ms after the heal`;
      return `${validityWord(c.valid)}, ${c.keys.length - apart} of ${c.keys.length} keys agree on every replica, ${when}, ${c.lostAdds} acknowledged add(s) lost`;
    },
  },
};
