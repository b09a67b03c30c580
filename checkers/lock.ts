import type { Op } from '../history/op.ts';
import type { Verdict } from './verdict.ts';

/** Options of {@link checkLock}. */
export interface LockOptions {
  /** Every counter's value before any increment; default 0. */
  init?: number;
}

/** One counter's tally. */
export interface CounterTally {
  key: string;
  ok: number;
  info: number;
  fail: number;
  /** The value the final reads agree on (`null` when they do not agree, or there were none). */
  final: number | null;
  /** Acknowledged increments the final value does not hold: ok − (final − init), at least 0. */
  lost: number;
  /** Increments the final value holds that no operation could have made: (final − init) − (ok + info), at least 0. */
  phantom: number;
  /** Acknowledged increments that read a value another acknowledged increment had read: an update made over another's head. */
  duplicateReads: number;
  /** Pairs of acknowledged increments whose critical sections (lock taken → write done, as each holder reported) overlap: the lock let two holders in at once. */
  overlaps: number;
}

/** What {@link checkLock} reports: the tallies per counter and their sums. */
export interface LockVerdict extends Verdict {
  counters: CounterTally[];
  lostIncrements: number;
  /** Acknowledged increments that read what another had read (`duplicateReads`, summed). */
  staleReads: number;
  /** Times the lock let two holders in at once (`overlaps`, summed), harmful or not. */
  mutualExclusionViolations: number;
  counterexample?: { key: string; reason: string; ops: Op[] };
}

interface Increment {
  invoke: Op;
  done?: Op;
}

/**
 * Checks counters incremented under a lock (or replicated any other way)
 * against what the clients saw. Pure. Ops: `incr` on a `key` (its `ok`
 * completion may carry what the service said: `read`, the value read under
 * the lock; `heldFromMs` and `wroteAtMs`, when the lock was taken and the
 * write done, wall clock), and the workload's `final: true` reads of each
 * key, on every replica, after the load.
 *
 * - Lost increments: the final value, which every replica's last final read
 *   must agree on, must hold every acknowledged increment — `final − init ≥
 *   ok` — and no more than could have happened — `≤ ok + info` (an `info`
 *   increment may or may not have landed; a `fail` surely did not).
 * - Stale reads: no two acknowledged increments may read the same value —
 *   one of them wrote over the other's head.
 * - Mutual exclusion: two acknowledged increments whose reported critical
 *   sections overlap had the lock at once. This is the lock's failure, not
 *   yet the counter's: a holder whose lease ran out may still write before
 *   the next holder reads (no harm done), and a store that checks fencing
 *   tokens refuses it once the next holder has read. So it is counted, and
 *   shown as a counterexample when nothing worse is, but it alone does not
 *   make the verdict false.
 *
 * `valid` is false on any lost or phantom increment or stale read, with the
 * first as counterexample; `'unknown'` when a counter has no agreeing final
 * reads, since nothing can be said of what it holds; true otherwise.
 */
export function checkLock(history: readonly Op[], opts: LockOptions = {}): LockVerdict {
  const init = opts.init ?? 0;
  const increments = new Map<string, Increment[]>();
  const finals = new Map<string, Map<string, unknown>>();
  const pending = new Map<unknown, Op>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.key === undefined) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      if (op.f === 'incr') increments.set(op.key, [...(increments.get(op.key) ?? []), { invoke: op }]);
      continue;
    }
    const invoke = pending.get(op.process);
    pending.delete(op.process);
    if (!invoke) continue;
    if (invoke.f === 'incr') {
      const list = increments.get(invoke.key!)!;
      list.find((i) => i.invoke === invoke)!.done = op;
    } else if (invoke.f === 'read' && op.type === 'ok' && op.final === true) {
      const byNode = finals.get(op.key) ?? new Map<string, unknown>();
      byNode.set(String(op.node ?? ''), op.value);
      finals.set(op.key, byNode);
    }
  }

  const counters: CounterTally[] = [];
  let counterexample: LockVerdict['counterexample'];
  let overlapExample: LockVerdict['counterexample'];
  let undecided = false;
  for (const [key, incs] of [...increments].sort(([a], [b]) => a.localeCompare(b))) {
    const ok = incs.filter((i) => i.done?.type === 'ok');
    const info = incs.filter((i) => i.done === undefined || i.done.type === 'info').length;
    const fail = incs.length - ok.length - info;
    const values = [...(finals.get(key)?.values() ?? [])].map((v) => (typeof v === 'number' ? v : Number(v ?? Number.NaN)));
    const agreed = values.length > 0 && values.every((v) => v === values[0]) && Number.isFinite(values[0]) ? values[0] : null;
    if (agreed === null) undecided = true;
    const lost = agreed === null ? 0 : Math.max(0, ok.length - (agreed - init));
    const phantom = agreed === null ? 0 : Math.max(0, agreed - init - ok.length - info);

    const byRead = new Map<number, Increment[]>();
    for (const i of ok) if (typeof i.done!.read === 'number') byRead.set(i.done!.read as number, [...(byRead.get(i.done!.read as number) ?? []), i]);
    const duplicates = [...byRead.values()].filter((group) => group.length > 1);
    const duplicateReads = duplicates.reduce((n, group) => n + group.length - 1, 0);

    const sections = ok
      .filter((i) => typeof i.done!.heldFromMs === 'number' && typeof i.done!.wroteAtMs === 'number')
      .map((i) => ({ i, from: i.done!.heldFromMs as number, to: i.done!.wroteAtMs as number }))
      .sort((a, b) => a.from - b.from);
    let overlaps = 0;
    let firstOverlap: [Increment, Increment] | undefined;
    for (let a = 0; a < sections.length; a++) {
      for (let b = a + 1; b < sections.length && sections[b].from < sections[a].to; b++) {
        overlaps++;
        firstOverlap ??= [sections[a].i, sections[b].i];
      }
    }

    counters.push({ key, ok: ok.length, info, fail, final: agreed, lost, phantom, duplicateReads, overlaps });
    const show = (group: Increment[]) => group.flatMap((i) => [i.invoke, ...(i.done ? [i.done] : [])]);
    if (counterexample) continue;
    if (firstOverlap) overlapExample ??= { key, reason: 'two holders were in the critical section at once', ops: show(firstOverlap) };
    if (lost > 0) counterexample = { key, reason: `the final value ${agreed} holds ${agreed! - init} increments, but ${ok.length} were acknowledged`, ops: [] };
    else if (phantom > 0)
      counterexample = { key, reason: `the final value ${agreed} holds more increments than were attempted (${ok.length} ok, ${info} unknown)`, ops: [] };
    else if (duplicates.length > 0)
      counterexample = { key, reason: `${duplicates[0].length} acknowledged increments all read ${duplicates[0][0].done!.read}`, ops: show(duplicates[0]) };
  }

  const lostIncrements = counters.reduce((n, c) => n + c.lost, 0);
  const staleReads = counters.reduce((n, c) => n + c.duplicateReads, 0);
  const mutualExclusionViolations = counters.reduce((n, c) => n + c.overlaps, 0);
  const valid = counterexample ? false : undecided ? 'unknown' : true;
  const shown = counterexample ?? overlapExample;
  return {
    valid,
    counters,
    lostIncrements,
    staleReads,
    mutualExclusionViolations,
    ...(undecided && !counterexample ? { reason: 'a counter has no final reads that agree: what it holds is unknown' } : {}),
    ...(shown ? { counterexample: shown } : {}),
  };
}
