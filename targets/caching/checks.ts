import { checkLinearizable } from '../../checkers/linearizability/index.ts';
import { checkStaleness, type StalenessVerdict } from '../../checkers/staleness.ts';
import type { Op } from '../../history/op.ts';
import type { Check } from '../family.ts';
import { validityWord } from '../../reports/verdict-text.ts';

/**
 * The caching family records per-key registers (`read` / `write` with a
 * `key`), and the workload writes every key before the load, so every check
 * starts from "nothing written" (`null`).
 */
const kvName: Record<string, string> = { read: 'get', write: 'put' };

/** A register op as Knossos's kv model names it (read → get, write → put); nemesis ops as they are. */
function asKvOp(op: Op): Op {
  return op.process === 'nemesis' ? op : { ...op, f: kvName[op.f] ?? op.f };
}

export const cachingChecks: Record<string, Check> = {
  staleness: {
    description: 'how stale each read was (k versions, t ms), and the PBS t-visibility curve',
    run: ({ history }) => checkStaleness(history, { init: null }),
    summary: (v) => {
      const s = v as StalenessVerdict;
      return `${validityWord(s.valid)}, ${(s.staleFraction * 100).toFixed(1)}% of ${s.reads} reads stale (k max ${s.k?.max ?? 0}, t max ${s.tMs?.max ?? 0} ms)`;
    },
  },
  linearizable: {
    description: 'linearizability per key, each key a register (the kv model)',
    run: ({ history }) => checkLinearizable(history.map(asKvOp), { model: 'kv', init: null, timeoutMs: 60_000 }),
    view: 'linearizability',
  },
};
