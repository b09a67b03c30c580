import type { Op, OpType, ProcessId } from '../history/op.ts';

/**
 * Test support: builds a history in file order, readably —
 * `history().invoke(1, 'read', null).ok(1, 'read', 3).ops`. Each op is 1 ms
 * after the previous unless `at(ms)` moves the clock.
 */
export function history() {
  const ops: Op[] = [];
  let clockMs = 0;
  const add = (type: OpType) => (process: ProcessId, f: string, value: unknown, key?: string) => {
    ops.push({ index: ops.length, time: clockMs * 1e6, process, type, f, value, ...(key ? { key } : {}) });
    clockMs += 1;
    return b;
  };
  const b = {
    at(ms: number) {
      clockMs = ms;
      return b;
    },
    invoke: add('invoke'),
    ok: add('ok'),
    fail: add('fail'),
    info: add('info'),
    ops,
  };
  return b;
}
