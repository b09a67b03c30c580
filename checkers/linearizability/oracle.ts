import type { Op } from '../../history/op.ts';
import type { Model, ModelOp } from '../models/model.ts';

/**
 * Test support, not for production: decides linearizability by brute force,
 * trying every total order consistent with real time, with each `info` op
 * (or never-completed invoke) placed at any point after its invoke or left
 * out. No memoisation, no partitioning, no dropping of info reads: it shares
 * nothing with the real checker but the model, so the two can be held
 * against each other. Exponential: for histories of a handful of ops. Pure.
 */
export function bruteForceLinearizable(history: readonly Op[], model: Model, init?: unknown): boolean {
  const ops: Array<{ op: ModelOp; invokePos: number; completePos: number; required: boolean }> = [];
  const open = new Map<number, number>();
  history.forEach((h, pos) => {
    if (typeof h.process !== 'number') return;
    if (h.type === 'invoke') {
      open.set(h.process, ops.length);
      ops.push({
        op: { f: h.f, input: h.value, output: undefined, ...(h.key === undefined ? {} : { key: h.key }) },
        invokePos: pos,
        completePos: Infinity,
        required: false,
      });
      return;
    }
    const o = ops[open.get(h.process)!];
    open.delete(h.process);
    if (h.type === 'ok') {
      o.op.output = h.value;
      o.completePos = pos;
      o.required = true;
    } else if (h.type === 'fail') {
      o.invokePos = -1; // never happened
    }
  });
  const live = ops.filter((o) => o.invokePos >= 0);
  const placed = live.map(() => false);

  const explore = (state: unknown): boolean => {
    if (live.every((o, i) => placed[i] || !o.required)) return true;
    for (let i = 0; i < live.length; i++) {
      if (placed[i]) continue;
      // o may go next only if no unplaced op returned before o was invoked.
      if (live.some((p, j) => !placed[j] && p.completePos < live[i].invokePos)) continue;
      const r = model.step(state, live[i].op);
      if (!r.ok) continue;
      placed[i] = true;
      const found = explore(r.state);
      placed[i] = false;
      if (found) return true;
    }
    return false;
  };
  return explore(model.init(init));
}
