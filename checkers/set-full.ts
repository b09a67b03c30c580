import type { Op } from '../history/op.ts';
import { distribution, type Distribution } from './staleness.ts';
import type { Verdict } from './verdict.ts';

/** Options of {@link checkSetFull}. */
export interface SetFullOptions {
  /** The set is meant to be linearizable: a stale element (absent from a read begun after it was known) is a violation too. */
  linearizable?: boolean;
}

/** What became of one element, as Jepsen's set-full names it. */
export type SetFullOutcome = 'stable' | 'lost' | 'never-read';

/** A stale element: absent from some read begun after it was known, present in every read begun after the last of those. */
export interface StaleElement {
  element: unknown;
  /** Ms from the element being known to the invocation of the last read that missed it. */
  stableLatencyMs: number;
  /** Index of the op that made the element known (the add's `ok`, or the first read that saw it). */
  knownIndex: number;
  /** Index of the invocation of the last read that missed it. */
  lastAbsentIndex: number;
}

/** What {@link checkSetFull} reports; element lists are sorted and cut at {@link LIST_SHOWN}. */
export interface SetFullVerdict extends Verdict {
  attemptCount: number;
  stableCount: number;
  lostCount: number;
  lost: unknown[];
  neverReadCount: number;
  neverRead: unknown[];
  staleCount: number;
  stale: unknown[];
  /** The stale elements that took longest to become stable, at most 8. */
  worstStale: StaleElement[];
  /** Ms from known to stable, over stable elements (0 for an element every later read saw). */
  stableLatenciesMs: Distribution | null;
  /** Ms from known to lost, over lost elements. */
  lostLatenciesMs: Distribution | null;
  /** Elements a single read returned more than once, with the most copies seen. */
  duplicated: Array<{ element: unknown; copies: number }>;
  /** Elements some read returned that no add ever tried to insert. */
  unexpected: unknown[];
  counterexample?: { reason: string; [detail: string]: unknown };
}

const LIST_SHOWN = 32;
const WORST_STALE_SHOWN = 8;
const NS_PER_MS = 1e6;

interface ElementState {
  element: unknown;
  known?: Op;
  lastPresent?: Op;
  lastAbsent?: Op;
}

/**
 * Jepsen's `set-full` (pure; throws nothing on a well-formed history). Ops
 * are `add` (value: one element) and `read` (value: the array of elements
 * present). An element is tracked from its add's invocation; each `ok` read
 * then counts for every element whose add was invoked before the read
 * completed, as present or absent, at the read's *invocation*:
 *
 * - *known*: the element's add completed `ok`, or a read saw it — whichever
 *   happened first in the history.
 * - **stable**: some read saw it, and every read invoked after the last one
 *   that missed it saw it (the last read invoked, of those that count, saw it).
 * - **lost**: known, and the last read invoked (among those that count)
 *   missed it, that read having begun after the element was known. A read
 *   concurrent with the add may linearize before it, so its miss proves
 *   nothing: such an element is never-read, not lost (Jepsen's asymmetry).
 * - **never-read**: neither.
 * - **stale**: stable, but some read invoked after it was known missed it;
 *   its stable latency is the ms from known to that read's invocation.
 *
 * `valid` is `false` for any lost element, any read listing an element twice,
 * any read listing an element never added (Jepsen's `set` checker rule; its
 * `set-full` does not check it), and, with `linearizable`, any stale element;
 * otherwise `'unknown'` when no element ever became stable (nothing was
 * learned: every add crashed, or nothing was read), else `true`.
 */
export function checkSetFull(history: readonly Op[], opts: SetFullOptions = {}): SetFullVerdict {
  const elements = new Map<string, ElementState>();
  const duplicated = new Map<string, { element: unknown; copies: number }>();
  const unexpected = new Map<string, unknown>();
  const pending = new Map<number, Op>();

  for (const op of history) {
    if (op.process === 'nemesis' || (op.f !== 'add' && op.f !== 'read')) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      if (op.f === 'add') elements.set(keyOf(op.value), { element: op.value });
      continue;
    }
    const invoke = pending.get(op.process);
    pending.delete(op.process);
    if (!invoke || op.type !== 'ok') continue;
    if (op.f === 'add') {
      const state = elements.get(keyOf(invoke.value));
      if (state) state.known ??= op;
      continue;
    }
    const counts = new Map<string, { element: unknown; copies: number }>();
    for (const element of (op.value as unknown[] | null) ?? []) {
      const key = keyOf(element);
      const seen = counts.get(key);
      if (seen) seen.copies++;
      else counts.set(key, { element, copies: 1 });
      if (!elements.has(key)) unexpected.set(key, element);
    }
    for (const [key, { element, copies }] of counts) {
      if (copies > 1 && copies > (duplicated.get(key)?.copies ?? 0)) duplicated.set(key, { element, copies });
    }
    for (const [key, state] of elements) {
      if (counts.has(key)) {
        state.known ??= op;
        if (!state.lastPresent || state.lastPresent.index < invoke.index) state.lastPresent = invoke;
      } else if (!state.lastAbsent || state.lastAbsent.index < invoke.index) state.lastAbsent = invoke;
    }
  }

  const stable: ElementState[] = [];
  const lost: ElementState[] = [];
  const neverRead: ElementState[] = [];
  for (const state of elements.values()) {
    const { known, lastPresent, lastAbsent } = state;
    if (lastPresent && (lastAbsent?.index ?? -1) < lastPresent.index) stable.push(state);
    else if (known && lastAbsent && (lastPresent?.index ?? -1) < lastAbsent.index && known.index < lastAbsent.index) lost.push(state);
    else neverRead.push(state);
  }
  // A stable element has been seen, so it is known.
  const latencyMs = (from: Op, to: Op | undefined) => (to ? Math.max(0, to.time - from.time) / NS_PER_MS : 0);
  const stale: StaleElement[] = stable
    .filter((s) => s.lastAbsent !== undefined && s.lastAbsent.index > s.known!.index)
    .map((s) => ({
      element: s.element,
      stableLatencyMs: latencyMs(s.known!, s.lastAbsent),
      knownIndex: s.known!.index,
      lastAbsentIndex: s.lastAbsent!.index,
    }));

  let counterexample: SetFullVerdict['counterexample'];
  const firstLost = sortElements(lost)[0];
  if (firstLost) {
    counterexample = {
      reason: 'lost: known to be in the set, then missing from every read begun after the last read that saw it',
      element: firstLost.element,
      known: firstLost.known,
      lastPresent: firstLost.lastPresent ?? null,
      lastAbsent: firstLost.lastAbsent,
    };
  } else if (duplicated.size > 0) {
    counterexample = { reason: 'a read returned an element more than once', ...[...duplicated.values()][0] };
  } else if (unexpected.size > 0) {
    counterexample = { reason: 'a read returned an element no add tried to insert', element: [...unexpected.values()][0] };
  } else if (opts.linearizable && stale.length > 0) {
    counterexample = { reason: 'stale: missing from a read begun after the element was known', ...stale[0] };
  }

  return {
    valid: counterexample ? false : stable.length === 0 ? 'unknown' : true,
    attemptCount: elements.size,
    stableCount: stable.length,
    lostCount: lost.length,
    lost: sortElements(lost)
      .slice(0, LIST_SHOWN)
      .map((s) => s.element),
    neverReadCount: neverRead.length,
    neverRead: sortElements(neverRead)
      .slice(0, LIST_SHOWN)
      .map((s) => s.element),
    staleCount: stale.length,
    stale: sortElements(stale)
      .slice(0, LIST_SHOWN)
      .map((s) => s.element),
    worstStale: [...stale].sort((a, b) => b.stableLatencyMs - a.stableLatencyMs).slice(0, WORST_STALE_SHOWN),
    stableLatenciesMs: distribution(stable.map((s) => latencyMs(s.known!, s.lastAbsent))),
    lostLatenciesMs: distribution(lost.map((s) => latencyMs(s.known!, s.lastPresent))),
    duplicated: [...duplicated.values()].slice(0, LIST_SHOWN),
    unexpected: [...unexpected.values()].slice(0, LIST_SHOWN),
    ...(counterexample ? { counterexample } : {}),
  };
}

/** An element's identity for equality: its JSON. */
function keyOf(element: unknown): string {
  return JSON.stringify(element ?? null);
}

/** Sorts by element: numerically when both are numbers, else by JSON. */
function sortElements<T extends { element: unknown }>(xs: readonly T[]): T[] {
  return [...xs].sort((a, b) =>
    typeof a.element === 'number' && typeof b.element === 'number' ? a.element - b.element : keyOf(a.element) < keyOf(b.element) ? -1 : 1,
  );
}
