import { checkConvergence } from '../../checkers/convergence.ts';
import { checkLock } from '../../checkers/lock.ts';
import { checkStaleness, type Distribution, distribution } from '../../checkers/staleness.ts';
import type { MetricsSample } from '../../history/metrics.ts';
import type { Op } from '../../history/op.ts';
import { type Operation, pairOperations } from '../../history/pair.ts';
import type { CaseFiles } from '../family.ts';
import { registerOps } from './checks.ts';

/**
 * How many client operations ended each way; the share that was ok, and the
 * share the system answered — ok, or refused by the data itself (a 4xx: a
 * compare-and-set whose value differed, a lock not had in time) rather than
 * not answered at all (`info`, or a connection refused) — `null` with none.
 */
export interface Outcomes {
  ok: number;
  fail: number;
  info: number;
  okShare: number | null;
  answeredShare: number | null;
  /** The same, operation by operation (`read`, `write`, `cas`, `incr`, `add`): reads may stay available while writes do not. */
  byOp?: Record<string, Omit<Outcomes, 'byOp'>>;
}

/** A fault's active span, from its nemesis ops: `start-<kind>` to `stop-<kind>` of the same `on` (or the history's end). */
export interface FaultWindow {
  fault: string;
  on: string;
  fromMs: number;
  toMs: number;
  /** Operations invoked within it, by outcome. */
  outcomes: Outcomes;
}

const NS_PER_MS = 1e6;

/**
 * The consistency family's figures of one case, computed from its saved
 * files alone; every key, unit and meaning is in `FIGURES.md` beside this
 * file. Pure.
 */
export function consistencyFigures({ history, metrics }: CaseFiles): Record<string, unknown> {
  const ops = pairOperations(history);
  const windows = faultWindows(history);
  const inside = (op: Operation) => windows.some((w) => op.invoke.time >= w.fromMs * NS_PER_MS && op.invoke.time < w.toMs * NS_PER_MS);
  for (const w of windows) w.outcomes = outcomes(ops.filter((o) => o.invoke.time >= w.fromMs * NS_PER_MS && o.invoke.time < w.toMs * NS_PER_MS));
  const load = ops.filter((o) => o.invoke.final !== true);
  const spanNs = load.length > 0 ? Math.max(...load.map((o) => o.done?.time ?? o.invoke.time)) - Math.min(...load.map((o) => o.invoke.time)) : 0;

  const figures: Record<string, unknown> = {
    availability: { all: outcomes(load), outsideFaults: outcomes(load.filter((o) => !inside(o))), insideFaults: outcomes(load.filter(inside)), windows },
    throughputOkPerSecond: spanNs > 0 ? round(load.filter((o) => o.done?.type === 'ok').length / (spanNs / 1e9)) : null,
    latencyMs: Object.fromEntries(
      [...new Set(load.map((o) => o.invoke.f))]
        .sort()
        .map((f) => [f, roundAll(distribution(load.filter((o) => o.invoke.f === f && o.done?.type === 'ok').map((o) => latencyMs(o))))]),
    ),
    servedBy: servedBy(load),
    replicationLag: replicationLag(metrics),
  };
  const registers = registerOps(history);
  if (registers.some((op) => op.process !== 'nemesis')) {
    const s = checkStaleness(registers, { init: null });
    figures.staleness = {
      reads: s.reads,
      staleReads: s.staleReads,
      staleFraction: round(s.staleFraction),
      k: s.k,
      tMs: roundAll(s.tMs),
      visibility: s.visibility,
    };
  }
  if (history.some((op) => op.f === 'incr')) {
    const l = checkLock(history);
    figures.counters = {
      lostIncrements: l.lostIncrements,
      staleReads: l.staleReads,
      mutualExclusionViolations: l.mutualExclusionViolations,
      byKey: l.counters,
    };
  }
  if (history.some((op) => op.final === true)) {
    const c = checkConvergence(history);
    figures.convergence = {
      converged: c.keys.every((k) => k.converged) && c.keys.length > 0,
      convergeMs: c.convergeMs === null ? null : round(c.convergeMs),
      lostAdds: c.lostAdds,
      keys: c.keys.map(({ key, converged, convergeMs, lostAdds }) => ({ key, converged, convergeMs, lostAdds })),
    };
  }
  return figures;
}

function outcomes(ops: readonly Operation[]): Outcomes {
  const byOp = Object.fromEntries([...new Set(ops.map((o) => o.invoke.f))].sort().map((f) => [f, tally(ops.filter((o) => o.invoke.f === f))]));
  return { ...tally(ops), byOp };
}

function tally(ops: readonly Operation[]): Omit<Outcomes, 'byOp'> {
  const ok = ops.filter((o) => o.done?.type === 'ok').length;
  const fail = ops.filter((o) => o.done?.type === 'fail').length;
  const refused = ops.filter((o) => o.done?.type === 'fail' && typeof o.done.status === 'number' && o.done.status >= 400 && o.done.status < 500).length;
  const info = ops.length - ok - fail;
  const share = (n: number) => (ops.length === 0 ? null : round(n / ops.length));
  return { ok, fail, info, okShare: share(ok), answeredShare: share(ok + refused) };
}

/** Every fault's active spans, in ms of the run's clock. */
export function faultWindows(history: readonly Op[]): FaultWindow[] {
  const endMs = history.length > 0 ? history[history.length - 1].time / NS_PER_MS : 0;
  const open = new Map<string, FaultWindow>();
  const windows: FaultWindow[] = [];
  for (const op of history) {
    if (op.process !== 'nemesis') continue;
    const m = /^(start|stop)-(.+)$/.exec(op.f);
    if (!m) continue;
    const on = String((op.value as { on?: unknown } | null)?.on ?? '');
    const id = `${m[2]} ${on}`;
    if (m[1] === 'start') {
      const w = {
        fault: m[2],
        on,
        fromMs: round(op.time / NS_PER_MS),
        toMs: round(endMs),
        outcomes: { ok: 0, fail: 0, info: 0, okShare: null, answeredShare: null },
      };
      open.set(id, w);
      windows.push(w);
    } else {
      const w = open.get(id);
      if (w) w.toMs = round(op.time / NS_PER_MS);
      open.delete(id);
    }
  }
  return windows;
}

function latencyMs(o: Operation): number {
  const reported = o.done?.latencyMs;
  return typeof reported === 'number' ? reported : ((o.done?.time ?? o.invoke.time) - o.invoke.time) / NS_PER_MS;
}

/** Ok operations by the node that served them. */
function servedBy(ops: readonly Operation[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of ops) if (o.done?.type === 'ok' && typeof o.done.node === 'string') out[o.done.node] = (out[o.done.node] ?? 0) + 1;
  return out;
}

/**
 * What the sampler saw of replication, second by second, each as a
 * distribution over the samples that had it: a PostgreSQL replica's
 * `replay_lag_ms` (behind what it received, so 0 while cut off) and its
 * bytes of WAL behind its primary (`wal_lsn`), and a Redis replica's bytes
 * behind its primary (`master_repl_offset` − `slave_repl_offset`). A
 * replica `x-replica-N`'s primary is `x`.
 */
function replicationLag(metrics: readonly MetricsSample[]): Record<string, unknown> {
  const replayMs: Record<string, number[]> = {};
  const behind: Record<string, number[]> = {};
  const primaryOf = (name: string) => name.replace(/-replica-\d+$/, '');
  for (const sample of metrics) {
    const pg = sample.postgres ?? {};
    for (const [name, s] of Object.entries(pg)) {
      if ('error' in s || !(s.replay_lag_ms >= 0)) continue;
      (replayMs[name] ??= []).push(s.replay_lag_ms);
      const primary = pg[primaryOf(name)];
      if (primary && !('error' in primary) && typeof primary.wal_lsn === 'number' && typeof s.wal_lsn === 'number')
        (behind[name] ??= []).push(Math.max(0, primary.wal_lsn - s.wal_lsn));
    }
    const redis = sample.redis ?? {};
    for (const [name, s] of Object.entries(redis)) {
      const primary = redis[primaryOf(name)];
      if ('error' in s || s.replica !== 1 || !primary || 'error' in primary) continue;
      (behind[name] ??= []).push(Math.max(0, primary.master_repl_offset - s.slave_repl_offset));
    }
  }
  const out: Record<string, unknown> = {};
  for (const name of new Set([...Object.keys(replayMs), ...Object.keys(behind)])) {
    out[name] = {
      ...(replayMs[name] ? { replayLagMs: roundAll(distribution(replayMs[name])) } : {}),
      ...(behind[name] ? { bytesBehind: distribution(behind[name]) } : {}),
      samples: Math.max(replayMs[name]?.length ?? 0, behind[name]?.length ?? 0),
    };
  }
  return out;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
function roundAll(d: Distribution | null): Distribution | null {
  return d && { p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) };
}
