import type { Op } from '../../history/op.ts';
import type { Model, ModelOp } from '../models/model.ts';

/**
 * One client operation as the search sees it: an invocation paired with its
 * completion. `invokePos`/`completePos` are positions in the history array
 * (the real-time order); an `info` op (or one never completed) has
 * `completePos = Infinity`: it may take effect at any time after its invoke.
 */
export interface Call {
  process: number;
  type: 'ok' | 'info';
  op: ModelOp;
  invokePos: number;
  completePos: number;
  invokeIndex: number;
  completeIndex: number | null;
  startNs: number;
  endNs: number | null;
}

/** A history split for the search: calls per partition (key `null` when the model does not partition), in invoke order. */
export interface Prepared {
  partitions: Map<string | null, Call[]>;
  /** Client operations that reached the search (fails and info reads are dropped). */
  calls: number;
}

/**
 * Pairs each client invoke with its completion and keeps what can constrain
 * the model: `ok` ops, and `info` ops unless the model says their `f` is
 * read-only. `fail` ops and nemesis events are dropped; an invoke never
 * completed counts as `info`. Pure; throws when a completion has no open
 * invoke on its process, or its `f` differs from the invoke's.
 */
export function prepare(history: readonly Op[], model: Model): Prepared {
  const pending = new Map<number, { op: Op; pos: number }>();
  const calls: Call[] = [];
  const keep = (invoke: Op, pos: number, completion: Op | null, completePos: number): void => {
    const info = completion === null || completion.type === 'info';
    if (info && model.readOnly?.(invoke.f)) return;
    calls.push({
      process: invoke.process as number,
      type: info ? 'info' : 'ok',
      op: { f: invoke.f, input: invoke.value, output: info ? undefined : completion!.value, ...(invoke.key === undefined ? {} : { key: invoke.key }) },
      invokePos: pos,
      completePos: info ? Infinity : completePos,
      invokeIndex: invoke.index ?? pos,
      completeIndex: completion === null ? null : (completion.index ?? completePos),
      startNs: invoke.time,
      endNs: info ? null : completion!.time,
    });
  };
  for (let pos = 0; pos < history.length; pos++) {
    const op = history[pos];
    if (op.process === 'nemesis' || typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const open = pending.get(op.process);
      // A new invoke on a process with one still open: the open one never
      // completed, so it is unknown (Jepsen would have logged info).
      if (open) keep(open.op, open.pos, null, Infinity);
      pending.set(op.process, { op, pos });
      continue;
    }
    const open = pending.get(op.process);
    if (!open) throw new Error(`history position ${pos}: ${op.type} ${op.f} on process ${op.process} without an open invoke`);
    if (open.op.f !== op.f) throw new Error(`history position ${pos}: ${op.type} ${op.f} completes invoke ${open.op.f} on process ${op.process}`);
    pending.delete(op.process);
    if (op.type !== 'fail') keep(open.op, open.pos, op, pos);
  }
  for (const open of pending.values()) keep(open.op, open.pos, null, Infinity);
  calls.sort((a, b) => a.invokePos - b.invokePos);

  const partitions = new Map<string | null, Call[]>();
  for (const call of calls) {
    const key = model.partition ? model.partition(call.op) : null;
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(call);
  }
  return { partitions, calls: calls.length };
}
