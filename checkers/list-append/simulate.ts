import type { Op } from '../../history/op.ts';

/** Options of {@link simulateListAppend}. */
export interface SimulateListAppendOptions {
  txns: number;
  /** Concurrent client processes. */
  processes: number;
  keys: number;
  /** Micro-ops a txn holds at most (at least 1). */
  maxMops: number;
  seed?: number;
  /** Chance a read returns a stale prefix of the list instead of the list: the store's isolation failing. 0 gives a strict serializable history. */
  staleRate?: number;
  /** Chance a txn ends `fail` (its appends dropped) or `info` (its appends kept or dropped at random). */
  failRate?: number;
  infoRate?: number;
  /** Read-write registers (`w`, and `r` of one value) instead of lists. */
  registers?: boolean;
  /** Chance a txn is torn: the micro-ops before a random split run at its invocation, straight on the store, the rest at its completion. Gives the ww and wr cycles (G0, G1c) and intermediate and aborted reads. */
  tornRate?: number;
}

/**
 * Test support: a list-append history from a simulated store that runs each
 * txn atomically at its completion, so that with `staleRate` 0 the history is
 * strict serializable; a stale read (a random proper prefix of the list)
 * breaks that, and a torn txn breaks its atomicity: between them every
 * anomaly class turns up. Elements
 * appended (or written) to a key are 1, 2, 3 … Deterministic for a seed. Pure.
 */
export function simulateListAppend(o: SimulateListAppendOptions): Op[] {
  let s = (o.seed ?? 1) >>> 0 || 1;
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
  const lists = new Map<number, number[]>();
  const nextElement = new Map<number, number>();
  type Mop = [string, number, unknown];
  /** Runs micro-ops on a copy of the lists they touch; a stale read returns a random proper prefix. */
  const execute = (mops: Mop[]) => {
    const scratch = new Map<number, number[]>();
    const done = mops.map(([f, key, v]): Mop => {
      const list = scratch.get(key) ?? [...(lists.get(key) ?? [])];
      scratch.set(key, list);
      if (f !== 'r') {
        list.push(v as number);
        return [f, key, v];
      }
      const seen = rand() < (o.staleRate ?? 0) && list.length > 0 ? list.slice(0, int(list.length)) : [...list];
      // A register is kept as the list of its writes: it reads as the last.
      return [f, key, o.registers ? (seen.at(-1) ?? null) : seen];
    });
    return { done, scratch };
  };
  const commit = (scratch: Map<number, number[]>) => {
    for (const [key, list] of scratch) lists.set(key, list);
  };
  const running: Array<{ process: number; mops: Mop[]; early: Mop[] } | null> = Array.from({ length: o.processes }, () => null);
  const ids = Array.from({ length: o.processes }, (_, i) => i);
  let nextProcess = o.processes;
  let invoked = 0;
  while (invoked < o.txns || running.some((r) => r)) {
    const slot = int(o.processes);
    const r = running[slot];
    if (!r) {
      if (invoked >= o.txns) continue;
      const mops: Mop[] = Array.from({ length: 1 + int(o.maxMops) }, () => {
        const key = int(o.keys);
        if (rand() < 0.5) return ['r', key, null];
        const e = (nextElement.get(key) ?? 0) + 1;
        nextElement.set(key, e);
        return [o.registers ? 'w' : 'append', key, e];
      });
      const split = mops.length > 1 && rand() < (o.tornRate ?? 0) ? 1 + int(mops.length - 1) : 0;
      const early = execute(mops.slice(0, split));
      commit(early.scratch);
      running[slot] = { process: ids[slot], mops, early: early.done };
      emit(ids[slot], 'invoke', mops);
      invoked++;
      continue;
    }
    running[slot] = null;
    const roll = rand();
    const outcome = roll < (o.failRate ?? 0) ? 'fail' : roll < (o.failRate ?? 0) + (o.infoRate ?? 0) ? 'info' : 'ok';
    const applies = outcome === 'ok' || (outcome === 'info' && rand() < 0.5);
    const late = execute(r.mops.slice(r.early.length));
    if (applies) commit(late.scratch);
    emit(r.process, outcome, outcome === 'ok' ? [...r.early, ...late.done] : r.mops);
    if (outcome === 'info') ids[slot] = nextProcess++;
  }
  return history;
}
