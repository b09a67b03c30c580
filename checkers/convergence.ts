import type { Op } from '../history/op.ts';
import type { Verdict } from './verdict.ts';

/** One key's convergence. */
export interface KeyConvergence {
  key: string;
  /** Each replica's last final read. */
  finals: Record<string, unknown>;
  /** Whether every replica's last final read is the same. */
  converged: boolean;
  /** For a set: acknowledged adds whose element the converged set lacks. */
  lostAdds: number;
  /**
   * Milliseconds from the last heal (the last nemesis `stop-…` op) until
   * every replica had read back everything acknowledged before it — a counter
   * at least the number of increments acknowledged by then, a set holding
   * every element added by then — or `null` when some replica never did
   * within the run, or there was no heal.
   */
  convergeMs: number | null;
}

/** What {@link checkConvergence} reports. */
export interface ConvergenceVerdict extends Verdict {
  keys: KeyConvergence[];
  /** The largest `convergeMs` over the keys; `null` when any key has none. */
  convergeMs: number | null;
  lostAdds: number;
  counterexample?: { key: string; reason: string; finals: Record<string, unknown> };
}

const NS_PER_MS = 1e6;

/**
 * Checks that replicas converge (strong eventual consistency): after the
 * load, the workload reads every key on every replica (`final: true` reads,
 * each naming its `node`) until they agree, and they must. Pure. Counters
 * are `incr` ops and numeric reads, sets `add` ops (the invocation's value is
 * the element) and reads of element arrays; other ops are ignored.
 *
 * `valid` is false when a key's replicas end on different values, or a set
 * ends without an acknowledged add (an add surely did happen); `'unknown'`
 * without final reads of some key; true otherwise. How many increments a
 * converged counter lost is `checkLock`'s business (it sees the same reads).
 */
export function checkConvergence(history: readonly Op[]): ConvergenceVerdict {
  const healNs = Math.max(-1, ...history.filter((op) => op.process === 'nemesis' && op.f.startsWith('stop-')).map((op) => op.time));
  const pending = new Map<unknown, Op>();
  const perKey = new Map<
    string,
    { acked: Array<{ value: unknown; timeNs: number; f: string }>; reads: Array<{ node: string; value: unknown; timeNs: number; final: boolean }> }
  >();
  const slot = (key: string) => {
    let s = perKey.get(key);
    if (!s) perKey.set(key, (s = { acked: [], reads: [] }));
    return s;
  };
  for (const op of history) {
    if (op.process === 'nemesis' || op.key === undefined) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      continue;
    }
    const invoke = pending.get(op.process);
    pending.delete(op.process);
    if (!invoke || op.type !== 'ok') continue;
    if (invoke.f === 'incr' || invoke.f === 'add') slot(op.key).acked.push({ value: invoke.value, timeNs: op.time, f: invoke.f });
    else if (invoke.f === 'read') slot(op.key).reads.push({ node: String(op.node ?? ''), value: op.value, timeNs: op.time, final: op.final === true });
  }

  const keys: KeyConvergence[] = [];
  let counterexample: ConvergenceVerdict['counterexample'];
  let undecided = false;
  for (const [key, { acked, reads }] of [...perKey].sort(([a], [b]) => a.localeCompare(b))) {
    if (acked.length === 0) continue;
    const finals: Record<string, unknown> = {};
    for (const r of reads) if (r.final) finals[r.node] = r.value;
    const shown = Object.values(finals).map((v) => JSON.stringify(v ?? null));
    if (shown.length === 0) undecided = true;
    const converged = shown.length > 0 && shown.every((v) => v === shown[0]);
    const isSet = acked[0].f === 'add';
    const agreed = converged ? Object.values(finals)[0] : undefined;
    const lostAdds = isSet && Array.isArray(agreed) ? acked.filter((a) => !agreed.includes(a.value)).length : 0;

    let convergeMs: number | null = null;
    if (healNs >= 0) {
      const before = acked.filter((a) => a.timeNs <= healNs);
      const holds = (value: unknown) =>
        isSet ? Array.isArray(value) && before.every((a) => value.includes(a.value)) : typeof value === 'number' && value >= before.length;
      const nodes = [...new Set(reads.map((r) => r.node))];
      const firsts = nodes.map((node) => reads.find((r) => r.node === node && r.timeNs >= healNs && holds(r.value))?.timeNs);
      convergeMs = firsts.every((t) => t !== undefined) && nodes.length > 0 ? Math.max(...(firsts as number[])) / NS_PER_MS - healNs / NS_PER_MS : null;
    }
    keys.push({ key, finals, converged, lostAdds, convergeMs });
    if (!counterexample && shown.length > 0 && !converged) counterexample = { key, reason: 'the replicas ended on different values', finals };
    if (!counterexample && lostAdds > 0) counterexample = { key, reason: `${lostAdds} acknowledged add(s) missing from the converged set`, finals };
  }
  const times = keys.map((k) => k.convergeMs);
  return {
    valid: counterexample ? false : undecided ? 'unknown' : true,
    keys,
    convergeMs: times.length > 0 && times.every((t) => t !== null) ? Math.max(...(times as number[])) : null,
    lostAdds: keys.reduce((n, k) => n + k.lostAdds, 0),
    ...(undecided && !counterexample ? { reason: 'some key has no final reads' } : {}),
    ...(counterexample ? { counterexample } : {}),
  };
}
