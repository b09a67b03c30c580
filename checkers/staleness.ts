import type { Op } from '../history/op.ts';
import type { Verdict } from './verdict.ts';

/** Options of {@link checkStaleness}. Bounds are inclusive: a read with `k === maxK` passes. */
export interface StalenessOptions {
  /** The registers' value before any write (every key's). Default `null`; a read of `undefined` counts as `null`. */
  init?: unknown;
  /** The most versions a read may lag behind; unbounded when absent. */
  maxK?: number;
  /** The most milliseconds a returned value may have been superseded for; unbounded when absent. */
  maxTMs?: number;
}

/** Nearest-rank percentiles of a sample, in the sample's unit; `null` for an empty sample. */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** How stale one ok read was. */
export interface ReadStaleness {
  /** Index of the read's `ok` completion. */
  index: number;
  key?: string;
  value: unknown;
  /** Committed versions behind the latest at the read's start. */
  k: number;
  /** Milliseconds the returned value had been superseded for at the read's start. */
  tMs: number;
}

/** One point of the t-visibility curve (PBS). */
export interface VisibilityPoint {
  /** Reads started at least this many ms after a write completed… */
  tMs: number;
  /** …how many such reads there were (reads with no write completed that long before are not counted)… */
  reads: number;
  /** …and the fraction of them that returned that write's value or a newer one; `null` when `reads` is 0. */
  probability: number | null;
}

/** What {@link checkStaleness} reports. */
export interface StalenessVerdict extends Verdict {
  reads: number;
  staleReads: number;
  /** `staleReads / reads`, 0 when there were no reads. */
  staleFraction: number;
  k: Distribution | null;
  tMs: Distribution | null;
  visibility: VisibilityPoint[];
  /** The stalest reads (by k, then t), at most {@link WORST_SHOWN}. */
  worst: ReadStaleness[];
  counterexample?: { reason: string; invoke: Op; read: Op; [detail: string]: unknown };
}

/** The t buckets of the visibility curve, in ms (Bailis et al.'s PBS plots use a similar log-ish scale). */
export const VISIBILITY_BUCKETS_MS: readonly number[] = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

const WORST_SHOWN = 10;
const NS_PER_MS = 1e6;

interface Write {
  valueKey: string;
  invokeIndex: number;
  /** `Infinity` for a write whose outcome is unknown (`info`, or no completion in the history). */
  completeIndex: number;
  completeTimeNs: number;
  ok: boolean;
  invoke: Op;
}

interface Read {
  invoke: Op;
  done: Op;
  valueKey: string;
}

/**
 * Measures how stale each `ok` read of a register-style history was (pure;
 * never throws on a well-formed history). Ops are `read` (the completion's
 * value is what was read), `write` (the invocation's value) and `cas`
 * (value `[expected, new]`; an `ok` cas is a write of `new`); other `f`s and
 * nemesis ops are ignored. Each `key` is its own register (no key = one register).
 *
 * Definitions, per key, for a read invoked at index `i`:
 * - The *versions* are the `ok` writes (file order is real-time order); those
 *   *committed at the read's start* completed before `i`. A version `w'`
 *   *surely follows* `w` when it was invoked after `w` completed: in any
 *   linearization it took effect after `w`. Two overlapping writes may have
 *   taken effect in either order, so neither surely follows the other.
 * - A read is *fresh* (`k = 0`, `t = 0`) when it returns the value of a
 *   committed version that no committed version surely follows, or of a write
 *   that may have taken effect during the read: one invoked before the read
 *   completed and not acknowledged before it started — an `ok` write
 *   concurrent with the read, or an `info` write invoked before the read
 *   completed (it may take effect at any later time). So a read that
 *   linearizability would accept on its own is never counted stale.
 * - Otherwise it returned a committed version `j` (of those with its value,
 *   the one fewest versions surely follow, the most charitable reading), or
 *   the initial value, which every committed version surely follows.
 *   `k` = how many committed versions surely follow `j`; `t` = ms from the
 *   first of them to complete (`time`) to the read's invocation, never negative.
 * - A read returning a value no write could have written by then (neither
 *   the initial value nor any `ok`/`info` write invoked before the read
 *   completed) is an anomaly: `valid: false` with that read as counterexample.
 *
 * Without bounds staleness is a measurement and `valid` is `true` barring
 * anomalies; with `maxK` / `maxTMs`, a read beyond either bound makes it
 * `false`, with the stalest read as counterexample.
 *
 * The visibility curve follows PBS t-visibility: for a bucket `t`, a read
 * counts when some version completed at least `t` ms before its start, and
 * succeeds unless the value it returned was surely superseded by a version
 * completed that long before (a fresh read always succeeds).
 */
export function checkStaleness(history: readonly Op[], opts: StalenessOptions = {}): StalenessVerdict {
  const initKey = valueKey(opts.init ?? null);
  const byKey = collect(history);
  const measured: Array<ReadStaleness & { rawTMs: number; committed: number; versions: Write[]; completeTimesNs: number[]; read: Read }> = [];
  let anomaly: StalenessVerdict['counterexample'];

  for (const [key, { writes, reads }] of byKey) {
    const versions = writes.filter((w) => w.ok).sort((a, b) => a.completeIndex - b.completeIndex);
    const completeIndexes = versions.map((w) => w.completeIndex);
    const completeTimesNs = versions.map((w) => w.completeTimeNs);
    const byValue = new Map<string, Write[]>();
    for (const w of writes) byValue.set(w.valueKey, [...(byValue.get(w.valueKey) ?? []), w]);

    for (const read of reads) {
      const start = read.invoke.index;
      const committed = countBelow(completeIndexes, start);
      const candidates = byValue.get(read.valueKey) ?? [];
      // The successors of each write the read may have returned: committed
      // versions invoked after it completed (they surely took effect after it).
      // Only versions completed after `afterIndex` can have been invoked after it (the versions are in completion order).
      const superseded: Array<{ successors: number; firstNs: number }> = [];
      const successorsOf = (afterIndex: number) => {
        let successors = 0;
        let firstNs = Infinity;
        for (let j = countBelow(completeIndexes, afterIndex + 1); j < committed; j++) {
          if (versions[j].invokeIndex <= afterIndex) continue;
          successors++;
          firstNs = Math.min(firstNs, versions[j].completeTimeNs);
        }
        return { successors, firstNs };
      };
      // How long a reading had been surely superseded at the read's start; −∞ when it had not been.
      const staleForMs = (x: { successors: number; firstNs: number }) => (x.successors === 0 ? -Infinity : (read.invoke.time - x.firstNs) / NS_PER_MS);
      for (const w of candidates) if (w.ok && w.completeIndex < start) superseded.push(successorsOf(w.completeIndex));
      if (read.valueKey === initKey) superseded.push(successorsOf(-1));
      const concurrent = candidates.some((w) => w.invokeIndex < read.done.index && w.completeIndex > start);
      if (!concurrent && superseded.length === 0) {
        anomaly ??= {
          reason: 'read a value that was neither the initial value nor written by any write invoked before the read completed',
          invoke: read.invoke,
          read: read.done,
        };
        continue;
      }
      // The most charitable reading: the write the fewest versions surely superseded, then the most recently.
      const best = concurrent
        ? { successors: 0, firstNs: Infinity }
        : superseded.reduce((a, b) => (b.successors < a.successors || (b.successors === a.successors && b.firstNs > a.firstNs) ? b : a));
      measured.push({
        index: read.done.index,
        ...(key === undefined ? {} : { key }),
        value: read.done.value,
        k: best.successors,
        tMs: Math.max(0, staleForMs(best)),
        // For the visibility curve, the most charitable of the readings: the least time superseded.
        rawTMs: concurrent ? -Infinity : Math.min(...superseded.map(staleForMs)),
        committed,
        versions,
        completeTimesNs,
        read,
      });
    }
  }

  const stale = measured.filter((m) => m.k > 0);
  const worst = [...stale].sort((a, b) => b.k - a.k || b.tMs - a.tMs);
  const visibility = VISIBILITY_BUCKETS_MS.map((tMs) => {
    let reads = 0;
    let visible = 0;
    for (const m of measured) {
      // It counts when some version had completed t ms before it started (completion times never decrease
      // along the versions, so a binary search says), and saw that or newer unless what it returned had
      // been surely superseded for t ms or more.
      const thresholdNs = m.read.invoke.time - tMs * NS_PER_MS;
      if (m.committed === 0 || countBelow(m.completeTimesNs, thresholdNs, true) === 0) continue;
      reads++;
      if (m.rawTMs < tMs) visible++;
    }
    return { tMs, reads, probability: reads === 0 ? null : visible / reads };
  });

  let counterexample = anomaly;
  const culprit = worst.find((m) => (opts.maxK !== undefined && m.k > opts.maxK) || (opts.maxTMs !== undefined && m.tMs > opts.maxTMs));
  if (!counterexample && culprit) {
    const exceeded = [
      ...(opts.maxK !== undefined && culprit.k > opts.maxK ? [`maxK ${opts.maxK}`] : []),
      ...(opts.maxTMs !== undefined && culprit.tMs > opts.maxTMs ? [`maxTMs ${opts.maxTMs}`] : []),
    ];
    counterexample = {
      reason: `read exceeded ${exceeded.join(' and ')}`,
      invoke: culprit.read.invoke,
      read: culprit.read.done,
      k: culprit.k,
      tMs: culprit.tMs,
      latestWrite: culprit.versions[culprit.committed - 1].invoke,
    };
  }
  const valid = counterexample === undefined;

  return {
    valid,
    reads: measured.length,
    staleReads: stale.length,
    staleFraction: measured.length === 0 ? 0 : stale.length / measured.length,
    k: distribution(measured.map((m) => m.k)),
    tMs: distribution(measured.map((m) => m.tMs)),
    visibility,
    worst: worst.slice(0, WORST_SHOWN).map(({ index, key, value, k, tMs }) => ({ index, ...(key === undefined ? {} : { key }), value, k, tMs })),
    ...(counterexample ? { counterexample } : {}),
  };
}

/** Nearest-rank p50/p95/p99/max of `sample` (pure; does not modify it); `null` when empty. */
export function distribution(sample: readonly number[]): Distribution | null {
  if (sample.length === 0) return null;
  const sorted = [...sample].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] };
}

/** A value's identity for equality: JSON, with `undefined` read as `null`. */
function valueKey(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** How many entries of the ascending `sorted` are below `bound` (or equal to it, when `inclusive`); binary search. */
function countBelow(sorted: readonly number[], bound: number, inclusive = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < bound || (inclusive && sorted[mid] === bound)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Pairs invocations with completions, per key; a write never completed counts as `info`. */
function collect(history: readonly Op[]): Map<string | undefined, { writes: Write[]; reads: Read[] }> {
  const byKey = new Map<string | undefined, { writes: Write[]; reads: Read[] }>();
  const slot = (key: string | undefined) => {
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = { writes: [], reads: [] }));
    return s;
  };
  const pending = new Map<number, Op>();
  const addWrite = (invoke: Op, done: Op | undefined) => {
    const written = invoke.f === 'cas' ? (invoke.value as unknown[] | undefined)?.[1] : invoke.value;
    const ok = done?.type === 'ok';
    slot(invoke.key).writes.push({
      valueKey: valueKey(written),
      invokeIndex: invoke.index,
      completeIndex: ok ? done!.index : Infinity,
      completeTimeNs: ok ? done!.time : Infinity,
      ok,
      invoke,
    });
  };
  for (const op of history) {
    if (op.process === 'nemesis' || !['read', 'write', 'cas'].includes(op.f)) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      continue;
    }
    const invoke = pending.get(op.process);
    pending.delete(op.process);
    if (!invoke) continue;
    if (invoke.f === 'read') {
      if (op.type === 'ok') slot(invoke.key).reads.push({ invoke, done: op, valueKey: valueKey(op.value) });
    } else if (op.type !== 'fail') addWrite(invoke, op.type === 'ok' ? op : undefined);
  }
  for (const invoke of pending.values()) if (invoke.f !== 'read') addWrite(invoke, undefined);
  return byKey;
}
