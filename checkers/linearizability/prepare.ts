import type { Op } from '../../history/op.ts';
import type { Model, ModelOp } from '../models/model.ts';

/**
 * One client operation as the search sees it: an invocation paired with its
 * completion. `invokePos`/`completePos` are positions in the history array
 * (the real-time order); an `info` op (or one never completed) has
 * `completePos = Infinity`: it may take effect at any time after its invoke.
 * `endPos` is where its completion really is (an info line), or -1 when it
 * never completed. Kept this small because a history makes one per op: what
 * only a counterexample needs (process, indices, times) is read back from
 * the history at those positions.
 */
export interface Call {
  op: ModelOp;
  invokePos: number;
  completePos: number;
  endPos: number;
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
  // Calls complete out of invoke order: each invoke reserves a slot, so the
  // list comes out in invoke order without a sort; dropped calls stay null.
  // An open invoke is just its slot (its position is `invokePosOf[slot]`):
  // no object per pending op.
  const pending = new Map<number, number>();
  const slots: Array<Call | null> = [];
  const invokePosOf: number[] = [];
  for (let pos = 0; pos < history.length; pos++) {
    const op = history[pos];
    if (typeof op.process !== 'number') continue;
    const open = pending.get(op.process);
    if (op.type === 'invoke') {
      // A new invoke on a process with one still open: the open one never
      // completed, so it is unknown (Jepsen would have logged info).
      if (open !== undefined) keep(history, model, slots, invokePosOf[open], open, null, Infinity);
      pending.set(op.process, slots.length);
      slots.push(null);
      invokePosOf.push(pos);
      continue;
    }
    if (open === undefined) throw new Error(`history position ${pos}: ${op.type} ${op.f} on process ${op.process} without an open invoke`);
    const invokeF = history[invokePosOf[open]].f;
    if (invokeF !== op.f) throw new Error(`history position ${pos}: ${op.type} ${op.f} completes invoke ${invokeF} on process ${op.process}`);
    pending.delete(op.process);
    if (op.type !== 'fail') keep(history, model, slots, invokePosOf[open], open, op, pos);
  }
  for (const open of pending.values()) keep(history, model, slots, invokePosOf[open], open, null, Infinity);

  const partitions = new Map<string | null, Call[]>();
  let calls = 0;
  for (const call of slots) {
    if (call === null) continue;
    calls++;
    const key = model.partition ? model.partition(call.op) : null;
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(call);
  }
  return { partitions, calls };
}

/**
 * Fills `slots[slot]` with the call invoked at `pos` and completed by
 * `completion` (null: never), unless it cannot constrain the model. A
 * module function rather than a closure per history, so V8's optimised code
 * for it survives from one check to the next.
 */
function keep(history: readonly Op[], model: Model, slots: Array<Call | null>, pos: number, slot: number, completion: Op | null, completePos: number): void {
  const invoke = history[pos];
  const info = completion === null || completion.type === 'info';
  if (info && model.readOnly?.(invoke.f)) return;
  const op: ModelOp = { f: invoke.f, input: invoke.value, output: info ? undefined : completion!.value };
  if (invoke.key !== undefined) op.key = invoke.key;
  slots[slot] = { op, invokePos: pos, completePos: info ? Infinity : completePos, endPos: completion === null ? -1 : completePos };
}
