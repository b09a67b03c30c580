import type { Op, OpType } from '../../history/op.ts';

/** An op before {@link history} numbers it. */
export type Draft = Omit<Op, 'index' | 'time'>;

const draft =
  (type: OpType) =>
  (process: number | 'nemesis', f: string, value: unknown = null, key?: string): Draft => ({
    process,
    type,
    f,
    value,
    ...(key === undefined ? {} : { key }),
  });

/** Test support: an invocation by `process` of `f` with `value` (on `key`). Pure. */
export const invoke = draft('invoke');
/** Test support: an ok completion (for reads `value` is what was read). Pure. */
export const ok = draft('ok');
/** Test support: a fail completion (surely did not happen). Pure. */
export const fail = draft('fail');
/** Test support: an info completion (unknown outcome). Pure. */
export const info = draft('info');

/** Test support: numbers drafts in order, 1 ms apart. Pure. */
export function history(...drafts: Draft[]): Op[] {
  return drafts.map((d, index) => ({ ...d, index, time: index * 1_000_000 }) as Op);
}
