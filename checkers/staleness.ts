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
 * - The *versions* are the `ok` writes, ordered by their completion index
 *   (file order is real-time order). The versions *committed at the read's
 *   start* are those completed before `i`; the *latest* is the last of them.
 *   Ordering by completion is a choice: two overlapping writes may have taken
 *   effect in either order, and the one that was acknowledged later is the one
 *   a client could have known to be newest.
 * - A read is *fresh* (`k = 0`, `t = 0`) when it returns the latest's value,
 *   or the value of a write that may have taken effect during the read: one
 *   invoked before the read completed and not acknowledged before it started
 *   — an `ok` write concurrent with the read, or an `info` write invoked
 *   before the read completed (it may take effect at any later time).
 *   Otherwise it returned an older version `j` (the newest one with that
 *   value, the most charitable reading), or the initial value (version -1).
 * - `k` = how many committed versions are newer than `j`; `t` = ms from the
 *   completion (`time`) of the version that superseded `j` to the read's
 *   invocation, never negative.
 * - A read returning a value no write could have written by then (neither
 *   the initial value nor any `ok`/`info` write invoked before the read
 *   completed) is an anomaly: `valid: false` with that read as counterexample.
 *
 * Without bounds staleness is a measurement and `valid` is `true` barring
 * anomalies; with `maxK` / `maxTMs`, a read beyond either bound makes it
 * `false`, with the stalest read as counterexample.
 *
 * The visibility curve follows PBS t-visibility: for a bucket `t`, each read
 * is paired with the latest version completed at least `t` ms before the
 * read's start (reads with none are not counted), and succeeds when it
 * returned that version or a newer one (a fresh read always does).
 */
export function checkStaleness(history: readonly Op[], opts: StalenessOptions = {}): StalenessVerdict {
  const initKey = valueKey(opts.init ?? null);
  const byKey = collect(history);
  const measured: Array<ReadStaleness & { position: number; committed: number; versions: Write[]; completeTimesNs: number[]; read: Read }> = [];
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
      let position: number;
      if (committed > 0 && versions[committed - 1].valueKey === read.valueKey) position = committed - 1;
      else if (candidates.some((w) => w.invokeIndex < read.done.index && w.completeIndex > start)) position = Infinity;
      else {
        position = -2;
        for (let j = committed - 1; j >= 0; j--) {
          if (versions[j].valueKey === read.valueKey) {
            position = j;
            break;
          }
        }
        if (position === -2 && read.valueKey === initKey) position = -1;
      }
      if (position === -2) {
        anomaly ??= {
          reason: 'read a value that was neither the initial value nor written by any write invoked before the read completed',
          invoke: read.invoke,
          read: read.done,
        };
        continue;
      }
      const fresh = position === Infinity || position === committed - 1;
      const k = fresh ? 0 : committed - 1 - position;
      const tMs = fresh ? 0 : Math.max(0, (read.invoke.time - versions[position + 1].completeTimeNs) / NS_PER_MS);
      measured.push({
        index: read.done.index,
        ...(key === undefined ? {} : { key }),
        value: read.done.value,
        k,
        tMs,
        position,
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
      // The latest version completed before the read started and at least t ms before it:
      // completion times never decrease along the versions, so a binary search finds it.
      const thresholdNs = m.read.invoke.time - tMs * NS_PER_MS;
      const target = Math.min(m.committed, countBelow(m.completeTimesNs, thresholdNs, true)) - 1;
      if (target < 0) continue;
      reads++;
      if (m.position >= target) visible++;
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
