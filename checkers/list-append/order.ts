import type { Op } from '../../history/op.ts';
import { PROCESS, REALTIME, type GraphBuilder } from './graph.ts';
import { type Txn, TXN_F } from './txn.ts';

/**
 * Adds process-order edges: each committed txn to the next one its process
 * ran that may have committed (a failed txn between them did nothing). An
 * `info` txn ends its process, so it only ever receives one.
 */
export function addProcessEdges(txns: readonly Txn[], graph: GraphBuilder): void {
  const last = new Map<number, number>();
  for (const t of txns) {
    if (t.status === 'fail') continue;
    const before = last.get(t.process);
    if (before !== undefined) graph.add(before, t.id, PROCESS);
    last.set(t.process, t.id);
  }
}

/**
 * Adds real-time edges: T1 → T2 when T1 completed `ok` before T2 was invoked
 * (an `info` txn never completed, so it precedes nothing). Only the
 * transitive reduction is added, so a history of n txns at concurrency c
 * gets about n·c edges rather than n²: a txn's invocation links it to the
 * frontier, the committed txns no later-committed txn is known to follow,
 * and a txn that commits takes the place of the frontier members it followed.
 */
export function addRealtimeEdges(history: readonly Op[], txns: readonly Txn[], graph: GraphBuilder): void {
  const byInvoke = new Map<number, Txn>();
  const byComplete = new Map<number, Txn>();
  for (const t of txns) {
    byInvoke.set(t.invokeIndex, t);
    if (t.completeIndex !== null) byComplete.set(t.completeIndex, t);
  }
  const frontier = new Set<number>();
  const followed = new Map<number, number[]>();
  for (const op of history) {
    if (op.process === 'nemesis' || op.f !== TXN_F) continue;
    if (op.type === 'invoke') {
      const t = byInvoke.get(op.index)!;
      if (t.status === 'fail') continue;
      followed.set(t.id, [...frontier]);
      for (const f of frontier) graph.add(f, t.id, REALTIME);
    } else if (op.type === 'ok') {
      const t = byComplete.get(op.index)!;
      for (const f of followed.get(t.id) ?? []) frontier.delete(f);
      followed.delete(t.id);
      frontier.add(t.id);
    }
  }
}
