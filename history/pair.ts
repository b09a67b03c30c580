import type { Op } from './op.ts';

/** A client operation: its invocation and, unless the history leaves it open, its completion. */
export interface Operation {
  invoke: Op;
  done?: Op;
}

/** The client invocations of `history`, in order, each paired with its process's next completion (nemesis ops left out; pure). */
export function pairOperations(history: readonly Op[]): Operation[] {
  const open = new Map<Op['process'], Operation>();
  const out: Operation[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      const o: Operation = { invoke: op };
      open.set(op.process, o);
      out.push(o);
    } else {
      const o = open.get(op.process);
      if (o) o.done = op;
      open.delete(op.process);
    }
  }
  return out;
}
