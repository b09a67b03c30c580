import type { Op } from '../history/op.ts';
import type { Verdict } from './verdict.ts';

/** Options of {@link checkLostWrites}. */
export interface LostWritesOptions {
  /** The registers' value before any write (every key's). Default `null`; a read of `undefined` counts as `null`. */
  init?: unknown;
}

/** One acknowledged write the final read showed was lost. */
export interface LostWrite {
  key?: string;
  value: unknown;
  /** Index of the write's `ok` completion. */
  index: number;
  /** What the key's final read returned instead, and the index of that read's `ok`. */
  finalValue: unknown;
  finalReadIndex: number;
}

/** What {@link checkLostWrites} reports. */
export interface LostWritesVerdict extends Verdict {
  /** Writes acknowledged (`ok`). */
  acknowledged: number;
  /** Acknowledged writes the check could judge: an `ok` read of their key began after they were acknowledged. */
  verified: number;
  /** Acknowledged writes that were neither read back nor overwritten by a write that survived. */
  lost: number;
  /** Acknowledged writes no later read could judge (no `ok` read of the key began after their acknowledgement). */
  unverified: number;
  /** Keys with at least one lost write. */
  keysLost: number;
  /** The first lost writes, at most {@link LOST_SHOWN}, in history order. */
  lostWrites: LostWrite[];
}

const LOST_SHOWN = 20;

interface Write {
  invoke: Op;
  /** Completion index, `Infinity` for a write whose outcome is unknown (`info`, or never completed). */
  completeIndex: number;
  ok: boolean;
  done?: Op;
}

/**
 * Counts acknowledged writes that were lost (pure; never throws on a
 * well-formed history). A register-style history (`read` / `write` ops,
 * each `key` its own register, values unique per write, as Jepsen's
 * workloads make them); other ops and nemesis events are ignored.
 *
 * Each key's *final read* — its last `ok` read by invocation — is its last
 * word. An acknowledged write `w` that completed before the final read began
 * survived when that read returned `w`'s value, or the value of a write that
 * may have taken effect after `w`: one not acknowledged before `w` was
 * invoked (so it may be ordered after `w`: concurrent with it, later, or of
 * unknown outcome). It was *lost* when the final read returned the initial
 * value, or a value whose write was acknowledged before `w` was invoked —
 * a state `w` had definitely overwritten. So every acknowledged write is
 * either read back or overwritten by a write that survived, or it is counted
 * lost; a write lost and then overwritten by a later write that survived is
 * not counted (its gap shows as stale reads, which the staleness check
 * measures). This is charitable where order is uncertain: only writes that
 * surely preceded the final state count.
 *
 * Writes acknowledged after their key's final read began (or on keys never
 * read after them) cannot be judged: they are `unverified`. Verdict: `false`
 * when any write was lost; `true` when none was and some were verified;
 * `'unknown'` when none could be verified (no write acknowledged, or none read after) — a
 * verdict on nothing is no evidence. A final read returning a value no
 * write wrote is an anomaly the staleness check reports; here it judges
 * nothing and its key's writes are unverified.
 */
export function checkLostWrites(history: readonly Op[], opts: LostWritesOptions = {}): LostWritesVerdict {
  const init = JSON.stringify(opts.init ?? null);
  const writes = new Map<string | undefined, Write[]>();
  const finalRead = new Map<string | undefined, { invoke: Op; done: Op }>();
  const pending = new Map<number, Op>();
  const addWrite = (invoke: Op, done: Op | undefined) => {
    const list = writes.get(invoke.key) ?? [];
    list.push({ invoke, done, ok: done?.type === 'ok', completeIndex: done?.type === 'ok' ? done.index : Infinity });
    writes.set(invoke.key, list);
  };
  for (const op of history) {
    if (op.process === 'nemesis' || (op.f !== 'read' && op.f !== 'write')) continue;
    if (op.type === 'invoke') {
      pending.set(op.process, op);
      continue;
    }
    const invoke = pending.get(op.process);
    pending.delete(op.process);
    if (!invoke) continue;
    if (invoke.f === 'read') {
      const last = finalRead.get(invoke.key);
      if (op.type === 'ok' && (!last || last.invoke.index < invoke.index)) finalRead.set(invoke.key, { invoke, done: op });
    } else if (op.type !== 'fail') addWrite(invoke, op.type === 'ok' ? op : undefined);
  }
  for (const invoke of pending.values()) if (invoke.f === 'write') addWrite(invoke, undefined);

  let acknowledged = 0;
  let verified = 0;
  const lost: LostWrite[] = [];
  const keysLost = new Set<string | undefined>();
  for (const [key, list] of writes) {
    const acked = list.filter((w) => w.ok);
    acknowledged += acked.length;
    const final = finalRead.get(key);
    if (!final) continue;
    const finalValue = JSON.stringify(final.done.value ?? null);
    const judged = acked.filter((w) => w.completeIndex < final.invoke.index);
    const source = list.find((w) => JSON.stringify(w.invoke.value ?? null) === finalValue);
    if (!source && finalValue !== init) continue; // an anomaly: judged by nothing
    verified += judged.length;
    for (const w of judged) {
      if (source === w) continue;
      // The final value is older than w only if its write was acknowledged before w began (or is the initial value).
      const surelyBefore = source === undefined || source.completeIndex < w.invoke.index;
      if (!surelyBefore) continue;
      keysLost.add(key);
      lost.push({
        ...(key === undefined ? {} : { key }),
        value: w.invoke.value,
        index: w.completeIndex,
        finalValue: final.done.value ?? null,
        finalReadIndex: final.done.index,
      });
    }
  }
  lost.sort((a, b) => a.index - b.index);
  const valid = lost.length > 0 ? false : verified > 0 ? true : 'unknown';
  return {
    valid,
    acknowledged,
    verified,
    lost: lost.length,
    unverified: acknowledged - verified,
    keysLost: keysLost.size,
    lostWrites: lost.slice(0, LOST_SHOWN),
    ...(valid === 'unknown' ? { reason: `${acknowledged} acknowledged write(s), none followed by an ok read of its key: nothing judged` } : {}),
  };
}
