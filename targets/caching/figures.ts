import { checkLostWrites } from '../../checkers/lost-writes.ts';
import { checkStaleness, distribution } from '../../checkers/staleness.ts';
import type { MetricsSample } from '../../history/metrics.ts';
import type { Op } from '../../history/op.ts';
import { type Operation, pairOperations } from '../../history/pair.ts';
import { scrambledZipfianPmf, topMass } from '../../workloads/ycsb.ts';
import type { CaseFiles } from '../family.ts';
import { asRegisterHistory } from './checks.ts';

/** One operation of the history: its invocation, its completion (if any) and its process. */
const NS_PER_S = 1e9;

/**
 * A caching case's own figures, from its saved files alone (pure). Every
 * key, its unit and meaning: `targets/caching/FIGURES.md`. The load's
 * operations are the clients'; the workload's final reads (k6's teardown,
 * marked `load: false` as the generic stats read them) are left out of every
 * figure but the lost-writes count, which is what they are for.
 */
export function cachingFigures(files: CaseFiles): Record<string, unknown> {
  const operations = pairOperations(files.history);
  const load = operations.filter((o) => typeof o.invoke.process === 'number' && o.invoke.load !== false);
  const completed = load.filter((o) => o.done);
  const startNs = Math.min(...load.map((o) => o.invoke.time));
  const endNs = Math.max(...completed.map((o) => o.done!.time));
  const seconds = load.length > 0 && completed.length > 0 ? Math.max(1e-9, (endNs - startNs) / NS_PER_S) : 0;
  const ok = completed.filter((o) => o.done!.type === 'ok');
  const reads = ok.filter((o) => o.invoke.f === 'read' && o.done!.status === 200);
  const hits = reads.filter((o) => o.done!.cache === 'hit');
  const latency = (ops: Operation[]) => distribution(ops.map((o) => Number(o.done!.latencyMs)).filter(Number.isFinite));
  const stale = checkStaleness(asRegisterHistory(files.history), { init: null });
  const lost = checkLostWrites(asRegisterHistory(files.history), { init: null });
  const faults = faultWindows(files.history);

  return {
    durationSeconds: round(seconds, 3),
    operations: { invoked: load.length, ok: ok.length, fail: count(completed, 'fail'), info: load.length - ok.length - count(completed, 'fail') },
    throughputOkPerSecond: seconds > 0 ? round(ok.length / seconds, 1) : null,
    latencyMs: {
      all: latency(completed),
      readHit: latency(hits),
      readMiss: latency(reads.filter((o) => o.done!.cache === 'miss')),
      write: latency(ok.filter((o) => o.invoke.f === 'write')),
    },
    hitRatio: {
      client: reads.length > 0 ? round(hits.length / reads.length, 4) : null,
      redis: redisHitRatio(files.metrics),
      localTier: files.options.localTier ? (reads.length > 0 ? round(hits.filter((o) => o.done!.tier === 'local').length / reads.length, 4) : null) : null,
      clientPerSecond: perSecond(reads, (group: Operation[]) =>
        group.length > 0 ? round(group.filter((o: Operation) => o.done!.cache === 'hit').length / group.length, 4) : null,
      ),
    },
    bestHitRatio: bestHitRatio(files),
    dbLoads: reads.filter((o) => o.done!.loaded === true).length,
    dbQueriesPerSecond: dbQueriesPerSecond(files.metrics),
    redisEvictedKeys: counterDelta(files.metrics, (s) => s.redis?.redis, 'evicted_keys'),
    loadsPerExpiry:
      typeof files.workload.hotKey === 'string' ? loadsPerExpiry(reads, String(files.workload.hotKey), Number(files.options.ttlSeconds), faults) : null,
    staleReads: { fraction: round(stale.staleFraction, 4), reads: stale.reads, stale: stale.staleReads, k: stale.k, tMs: stale.tMs },
    lostWrites: { valid: lost.valid, lost: lost.lost, verified: lost.verified, unverified: lost.unverified, acknowledged: lost.acknowledged },
    faults: faults.map((f) => duringFault(f, load)),
  };
}

const count = (ops: Operation[], type: Op['type']) => ops.filter((o) => o.done?.type === type).length;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** `summarise` of the operations invoked in each whole second since the run started (the history's clock), from the first such second. */
function perSecond<T>(ops: Operation[], summarise: (group: Operation[]) => T): Array<{ second: number; value: T }> {
  const groups = new Map<number, Operation[]>();
  for (const o of ops) {
    const second = Math.floor(o.invoke.time / NS_PER_S);
    groups.set(second, [...(groups.get(second) ?? []), o]);
  }
  if (groups.size === 0) return [];
  const first = Math.min(...groups.keys());
  const last = Math.max(...groups.keys());
  return Array.from({ length: last - first + 1 }, (_, i) => ({ second: first + i, value: summarise(groups.get(first + i) ?? []) }));
}

/** What clients saw while one fault was on: the operations invoked in its window, how many succeeded, the reads' hit ratio, the median latency. */
function duringFault(f: { fault: string; on: string; startNs: number; endNs: number }, load: Operation[]) {
  const inside = load.filter((o) => o.invoke.time >= f.startNs && o.invoke.time < f.endNs);
  const ok = inside.filter((o) => o.done?.type === 'ok');
  const reads = ok.filter((o) => o.invoke.f === 'read' && o.done!.status === 200);
  return {
    fault: f.fault,
    on: f.on,
    startSeconds: round(f.startNs / NS_PER_S, 3),
    endSeconds: round(f.endNs / NS_PER_S, 3),
    invoked: inside.length,
    okFraction: inside.length > 0 ? round(ok.length / inside.length, 4) : null,
    readHitRatio: reads.length > 0 ? round(reads.filter((o) => o.done!.cache === 'hit').length / reads.length, 4) : null,
    latencyMsP50: distribution(inside.filter((o) => o.done).map((o) => Number(o.done!.latencyMs)))?.p50 ?? null,
  };
}

/** The increase of a cumulative counter across the samples; a counter that goes down was reset (a restarted Redis) and counts again from 0. */
function counterDelta(metrics: readonly MetricsSample[], source: (s: MetricsSample) => Record<string, number> | { error: string } | undefined, field: string) {
  let total = 0;
  let previous: number | undefined;
  let seen = false;
  for (const sample of metrics) {
    const figures = source(sample);
    const value = figures && !('error' in figures) ? figures[field] : undefined;
    if (typeof value !== 'number') continue;
    seen = true;
    if (previous !== undefined) total += value >= previous ? value - previous : value;
    previous = value;
  }
  return seen ? total : null;
}

/** Redis's own hit ratio over the run (INFO keyspace_hits / (hits + misses)): every GET the service sent, its locks and leases included. */
function redisHitRatio(metrics: readonly MetricsSample[]): number | null {
  const hits = counterDelta(metrics, (s) => s.redis?.redis, 'keyspace_hits');
  const misses = counterDelta(metrics, (s) => s.redis?.redis, 'keyspace_misses');
  if (hits === null || misses === null || hits + misses === 0) return null;
  return round(hits / (hits + misses), 4);
}

/**
 * Transactions committed per second on the `postgres` primary, from
 * pg_stat_database's xact_commit between consecutive samples, less the
 * sampler's own query (one a sample). Each statement the service sends
 * outside a transaction is one transaction, so this is its queries per second.
 */
function dbQueriesPerSecond(metrics: readonly MetricsSample[]) {
  const series: Array<{ second: number; value: number }> = [];
  let previous: { time: number; commits: number } | undefined;
  for (const sample of metrics) {
    const pg = sample.postgres?.postgres;
    if (!pg || 'error' in pg || typeof pg.xact_commit !== 'number') continue;
    if (previous) {
      const seconds = (sample.time - previous.time) / NS_PER_S;
      const queries = Math.max(0, pg.xact_commit - previous.commits - 1);
      if (seconds > 0) series.push({ second: round(sample.time / NS_PER_S, 1), value: round(queries / seconds, 1) });
    }
    previous = { time: sample.time, commits: pg.xact_commit };
  }
  if (series.length === 0) return null;
  const values = series.map((p) => p.value);
  return { mean: round(values.reduce((a, b) => a + b, 0) / values.length, 1), max: Math.max(...values), series };
}

/**
 * The best hit ratio any cache of the case's size could reach on this
 * workload's keys: the top-C mass of the request distribution (zipfian:
 * YCSB's scrambled popularity; uniform: C/N). C is the in-process tier's
 * capacity when there is one (compare `hitRatio.localTier`), else, when
 * Redis has a memory limit, how many items Redis held once
 * full (the median `keys` of the samples in the run's second half). Null
 * with neither, for `latest`, or when the samples do not say.
 */
function bestHitRatio(files: CaseFiles) {
  const local = files.options.localTier as { capacity: number } | undefined;
  if (!files.options.redisMaxmemory && !local) return null;
  const keys = Number(files.workload.keys);
  const mix = String(files.workload.mix ?? 'b');
  const distribution = String(files.workload.distribution ?? (mix === 'd' ? 'latest' : 'zipfian'));
  const held = local
    ? [local.capacity]
    : files.metrics
        .slice(Math.floor(files.metrics.length / 2))
        .map((s) => s.redis?.redis)
        .flatMap((r) => (r && !('error' in r) && typeof r.keys === 'number' ? [r.keys] : []))
        .sort((a, b) => a - b);
  if (held.length === 0 || !(keys > 0) || distribution === 'latest') return null;
  const capacity = Math.min(keys, held[Math.floor(held.length / 2)]);
  const bound = distribution === 'uniform' ? capacity / keys : topMass(scrambledZipfianPmf(keys), capacity);
  return { capacityItems: capacity, topMass: round(bound, 4) };
}

/** Each fault's active window, from the nemesis's start/stop events (a fault never stopped runs to the end). */
function faultWindows(history: readonly Op[]): Array<{ fault: string; on: string; startNs: number; endNs: number }> {
  const open = new Map<string, { fault: string; on: string; startNs: number }>();
  const out: Array<{ fault: string; on: string; startNs: number; endNs: number }> = [];
  for (const op of history) {
    if (op.process !== 'nemesis') continue;
    const match = /^(start|stop)-(.+)$/.exec(op.f);
    if (!match) continue;
    const on = String((op.value as { on?: unknown })?.on ?? '');
    const id = `${match[2]}:${on}`;
    if (match[1] === 'start') open.set(id, { fault: match[2], on, startNs: op.time });
    else if (open.has(id)) {
      out.push({ ...open.get(id)!, endNs: op.time });
      open.delete(id);
    }
  }
  const last = history.length > 0 ? history[history.length - 1].time : 0;
  for (const f of open.values()) out.push({ ...f, endNs: last });
  return out.sort((a, b) => a.startNs - b.startNs);
}

/**
 * Database loads and misses per expiry of the herd's hot key, from the
 * clients' answers: every read that loaded the item from PostgreSQL
 * (`loaded`) or was answered from it (`miss`) falls into an expiry window —
 * a window opens with such a read invoked more than a second (or half a TTL,
 * if shorter) after the previous one; a crowd missing together arrives
 * within the load's time, and expiries are a TTL apart. The first window is
 * the cold start (the key was never cached); windows that overlap a fault
 * are reported but left out of the means. Exact: each answer is one
 * request's own account of itself, nothing sampled — pg_stat's counters,
 * sampled once a second and counting every query, could not say which
 * loads belong to which expiry.
 */
function loadsPerExpiry(reads: Operation[], hotKey: string, ttlSeconds: number, faults: Array<{ startNs: number; endNs: number }>) {
  const events = reads.filter((o) => o.invoke.key === hotKey && (o.done!.loaded === true || o.done!.cache === 'miss'));
  const windows: Array<{ startNs: number; endNs: number; loads: number; misses: number }> = [];
  const gapNs = Math.min(NS_PER_S, (ttlSeconds * NS_PER_S) / 2);
  let lastNs = -Infinity;
  for (const o of events) {
    let w = windows[windows.length - 1];
    if (!w || o.invoke.time - lastNs > gapNs) windows.push((w = { startNs: o.invoke.time, endNs: o.invoke.time, loads: 0, misses: 0 }));
    lastNs = o.invoke.time;
    w.endNs = Math.max(w.endNs, o.done!.time);
    if (o.done!.loaded === true) w.loads++;
    if (o.done!.cache === 'miss') w.misses++;
  }
  const clean = windows.slice(1).filter((w) => !faults.some((f) => f.startNs <= w.endNs && f.endNs >= w.startNs));
  const mean = (xs: number[]) => (xs.length > 0 ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 2) : null);
  return {
    expiries: clean.length,
    loadsMean: mean(clean.map((w) => w.loads)),
    loadsMax: clean.length > 0 ? Math.max(...clean.map((w) => w.loads)) : null,
    missesMean: mean(clean.map((w) => w.misses)),
    coldStart: windows[0] ? { loads: windows[0].loads, misses: windows[0].misses } : null,
    windows: windows.map((w) => ({
      startSeconds: round(w.startNs / NS_PER_S, 3),
      endSeconds: round(w.endNs / NS_PER_S, 3),
      loads: w.loads,
      misses: w.misses,
      faulted: faults.some((f) => f.startNs <= w.endNs && f.endNs >= w.startNs),
    })),
  };
}
