import type { Op } from '../../history/op.ts';

/** How the simulated store isolates transactions. */
export type IsolationStore = 'serializable' | 'snapshot-isolation' | 'read-committed';

/** What {@link generateListAppend} makes. */
export interface ListAppendSpec {
  txns: number;
  /** Concurrent clients. */
  processes: number;
  store: IsolationStore;
  /** Keys in use at once; a key that has taken `maxWritesPerKey` appends is retired for a fresh one (Jepsen's list-append generator does the same, so reads stay short). */
  activeKeys: number;
  maxWritesPerKey: number;
  /** Micro-ops a txn holds at most (at least 1), half reads, half appends. */
  maxMops: number;
  seed: number;
  /** Chance a txn ends `info` (its effects kept or dropped at random). */
  infoRate: number;
}

/**
 * Bench support: a list-append history of the shape Jepsen's workload makes,
 * from a simulated store at one isolation level. Each txn is invoked, then
 * completed some steps later, with others in between:
 *
 * - `serializable`: runs whole at its completion (strict serializable).
 * - `snapshot-isolation`: reads the state committed when it was invoked plus
 *   its own appends; at completion it fails if another txn committed an
 *   append to a key it appends to since then (first committer wins), else
 *   its appends land. Write skew (G2-item) follows; G-single never does.
 * - `read-committed`: each read sees what was committed at the txn's
 *   invocation or at its completion, at random (a key it has appended to, at
 *   completion, as a row lock would make it); no conflicts. Read skew
 *   (G-single) follows.
 *
 * Deterministic for a seed. Pure.
 */
export function generateListAppend(spec: ListAppendSpec): Op[] {
  let s = spec.seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(rand() * n);
  const history: Op[] = [];
  const emit = (process: number, type: Op['type'], value: unknown): void => {
    history.push({ index: history.length, time: history.length * 1000, process, type, f: 'txn', value });
  };

  const lists: number[][] = [];
  /** Per key, its length after each commit that appended to it: [commitSeq, length] pairs, oldest first. */
  const versions: Array<Array<[number, number]>> = [];
  const writes: number[] = [];
  const active = Array.from({ length: spec.activeKeys }, (_, i) => i);
  let nextKey = spec.activeKeys;
  let commitSeq = 0;
  const list = (k: number) => (lists[k] ??= []);
  const lengthAt = (k: number, seq: number): number => {
    const vs = versions[k] ?? [];
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i][0] <= seq) return vs[i][1];
    return 0;
  };

  type Mop = [string, number, unknown];
  type Running = { process: number; mops: Mop[]; snapshot: number };
  const running: Array<Running | null> = Array.from({ length: spec.processes }, () => null);
  const ids = Array.from({ length: spec.processes }, (_, i) => i);
  let nextProcess = spec.processes;
  let invoked = 0;

  const pickKey = (): number => active[int(active.length)];
  const append = (): Mop => {
    const slot = int(active.length);
    const k = active[slot];
    writes[k] = (writes[k] ?? 0) + 1;
    if (writes[k] >= spec.maxWritesPerKey) active[slot] = nextKey++;
    return ['append', k, writes[k]];
  };

  while (invoked < spec.txns || running.some((r) => r)) {
    const slot = int(spec.processes);
    const r = running[slot];
    if (!r) {
      if (invoked >= spec.txns) continue;
      const mops: Mop[] = Array.from({ length: 1 + int(spec.maxMops) }, () => (rand() < 0.5 ? ['r', pickKey(), null] : append()));
      running[slot] = { process: ids[slot], mops, snapshot: commitSeq };
      emit(ids[slot], 'invoke', mops);
      invoked++;
      continue;
    }
    running[slot] = null;
    const own = new Map<number, number[]>();
    const appended = new Set<number>();
    const done = r.mops.map(([f, k, v]): Mop => {
      if (f === 'append') {
        appended.add(k);
        own.set(k, [...(own.get(k) ?? []), v as number]);
        return [f, k, v];
      }
      const atInvoke = spec.store === 'snapshot-isolation' || (spec.store === 'read-committed' && !appended.has(k) && rand() < 0.5);
      const base = atInvoke ? list(k).slice(0, lengthAt(k, r.snapshot)) : list(k).slice();
      return [f, k, [...base, ...(own.get(k) ?? [])]];
    });
    const conflict = spec.store === 'snapshot-isolation' && [...appended].some((k) => lengthAt(k, commitSeq) !== lengthAt(k, r.snapshot));
    const outcome = conflict ? 'fail' : rand() < spec.infoRate ? 'info' : 'ok';
    if (outcome === 'ok' || (outcome === 'info' && rand() < 0.5)) {
      commitSeq++;
      for (const [k, vs] of own) {
        list(k).push(...vs);
        (versions[k] ??= []).push([commitSeq, list(k).length]);
      }
    }
    emit(r.process, outcome, outcome === 'ok' ? done : r.mops);
    if (outcome === 'info') ids[slot] = nextProcess++;
  }
  return history;
}
