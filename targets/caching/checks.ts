import { checkLinearizable } from '../../checkers/linearizability/index.ts';
import { checkLostWrites, type LostWritesVerdict } from '../../checkers/lost-writes.ts';
import { checkStaleness, type StalenessVerdict } from '../../checkers/staleness.ts';
import type { Op } from '../../history/op.ts';
import { validityWord } from '../../reports/verdict-text.ts';
import type { Check } from '../family.ts';

/**
 * The caching family records per-key registers (`read` / `write` with a
 * `key`). Every key starts with its seeded value (`seed-k<i>`, written by the
 * service before the load, YCSB's load phase), so the checks read a seeded
 * value as each key's initial value, `null`.
 */
export function asRegisterHistory(history: readonly Op[]): Op[] {
  return history.map((op) => (typeof op.value === 'string' && op.value.startsWith('seed-') ? { ...op, value: null } : op));
}

const kvName: Record<string, string> = { read: 'get', write: 'put' };

/** A register op as Knossos's kv model names it (read → get, write → put); nemesis ops as they are. */
function asKvOp(op: Op): Op {
  return op.process === 'nemesis' ? op : { ...op, f: kvName[op.f] ?? op.f };
}

export const cachingChecks: Record<string, Check> = {
  staleness: {
    description: 'how stale each read was (k versions, t ms), and the PBS t-visibility curve',
    run: ({ history }) => checkStaleness(asRegisterHistory(history), { init: null }),
    summary: (v) => {
      const s = v as StalenessVerdict;
      return `${validityWord(s.valid)}, ${(s.staleFraction * 100).toFixed(1)}% of ${s.reads} reads stale (k max ${s.k?.max ?? 0}, t max ${s.tMs?.max ?? 0} ms)`;
    },
  },
  linearizable: {
    description: 'linearizability per key, each key a register (the kv model)',
    run: ({ history }) => checkLinearizable(asRegisterHistory(history).map(asKvOp), { model: 'kv', init: null, timeoutMs: 60_000 }),
    view: 'linearizability',
  },
  'lost-writes': {
    description: "acknowledged writes neither read back by their key's final read nor overwritten by a write that survived",
    run: ({ history }) => checkLostWrites(asRegisterHistory(history), { init: null }),
    summary: (v) => {
      const l = v as LostWritesVerdict;
      return `${validityWord(l.valid)}, ${l.lost} of ${l.verified} verified acknowledged writes lost (${l.unverified} unverified)`;
    },
  },
};
