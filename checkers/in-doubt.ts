import type { Op } from '../history/op.ts';
import { type Distribution, distribution as rawDistribution } from './staleness.ts';

/** Nearest-rank percentiles to 0.01 ms (the services' timestamps are microseconds; nothing finer means anything here). */
function distribution(xs: readonly number[]): Distribution | null {
  const d = rawDistribution(xs);
  return d && { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) };
}

const round = (x: number) => Math.round(x * 100) / 100;

/** One entry of a 2PC coordinator's decision log (`GET /audit`'s `log`), times in ms since the epoch. */
export interface DecisionEntry {
  gid: string;
  decision: 'commit' | 'abort';
  byRecovery: boolean;
  preparedAtMs: number;
  completedAtMs?: number;
}

/** What 2PC's prepared transactions cost: how long each held its locks in doubt, and what recovery settled. */
export interface InDoubtFigures {
  /** Transactions that reached PREPARE. */
  prepared: number;
  /** From PREPARE to COMMIT/ROLLBACK PREPARED on both shards, ms, every transaction. */
  heldMs: (Distribution & { mean: number }) | null;
  /** Those recovery resolved (their coordinator died or lost a participant), with how long they held their locks. */
  recovered: { count: number; commits: number; aborts: number; heldMs: Distribution | null };
  /** Still prepared in the final audit. */
  unresolved: number;
}

/** In-doubt time of each prepared transaction, from the coordinator's log (pure). */
export function inDoubt(log: readonly DecisionEntry[]): InDoubtFigures {
  const held = log.filter((d) => d.completedAtMs !== undefined).map((d) => d.completedAtMs! - d.preparedAtMs);
  const recovered = log.filter((d) => d.byRecovery);
  const mean = held.length ? held.reduce((a, b) => a + b, 0) / held.length : 0;
  const d = distribution(held);
  return {
    prepared: log.length,
    heldMs: d && { ...d, mean: round(mean) },
    recovered: {
      count: recovered.length,
      commits: recovered.filter((x) => x.decision === 'commit').length,
      aborts: recovered.filter((x) => x.decision === 'abort').length,
      heldMs: distribution(recovered.filter((x) => x.completedAtMs !== undefined).map((x) => x.completedAtMs! - x.preparedAtMs)),
    },
    unresolved: log.filter((x) => x.completedAtMs === undefined).length,
  };
}

/** Completed operations of a kind a second, inside and outside a set of intervals. */
export interface BlockedThroughput {
  /** Seconds of the load inside the intervals, and ok ops a second there. */
  blockedSeconds: number;
  blockedOkPerSecond: number | null;
  /** The same outside them. */
  otherSeconds: number;
  otherOkPerSecond: number | null;
}

/**
 * `f` ops completed `ok` a second while any of `intervals` (ms on the
 * history's clock) was open, against the rest of the load (pure): the
 * throughput lost while prepared transactions held their locks. The load is
 * from the first to the last `f` invocation.
 */
export function throughputWhile(history: readonly Op[], f: string, intervals: ReadonlyArray<{ fromMs: number; toMs: number }>): BlockedThroughput {
  const invokes = history.filter((op) => op.f === f && op.type === 'invoke');
  if (invokes.length === 0) return { blockedSeconds: 0, blockedOkPerSecond: null, otherSeconds: 0, otherOkPerSecond: null };
  const start = invokes[0].time / 1e6;
  const end = invokes[invokes.length - 1].time / 1e6;
  // Merge the intervals, clipped to the load.
  const merged: Array<{ fromMs: number; toMs: number }> = [];
  for (const i of [...intervals].sort((a, b) => a.fromMs - b.fromMs)) {
    const from = Math.max(start, i.fromMs);
    const to = Math.min(end, i.toMs);
    if (to <= from) continue;
    const last = merged.at(-1);
    if (last && from <= last.toMs) last.toMs = Math.max(last.toMs, to);
    else merged.push({ fromMs: from, toMs: to });
  }
  const blockedMs = merged.reduce((sum, i) => sum + (i.toMs - i.fromMs), 0);
  const inside = (ms: number) => merged.some((i) => ms >= i.fromMs && ms < i.toMs);
  let blockedOk = 0;
  let otherOk = 0;
  for (const op of history) {
    if (op.f !== f || op.type !== 'ok') continue;
    const ms = op.time / 1e6;
    if (ms < start || ms > end) continue;
    if (inside(ms)) blockedOk++;
    else otherOk++;
  }
  const perSecond = (n: number, ms: number) => (ms > 0 ? Math.round((n / (ms / 1000)) * 100) / 100 : null);
  return {
    blockedSeconds: Math.round(blockedMs) / 1000,
    blockedOkPerSecond: perSecond(blockedOk, blockedMs),
    otherSeconds: Math.round(end - start - blockedMs) / 1000,
    otherOkPerSecond: perSecond(otherOk, end - start - blockedMs),
  };
}
