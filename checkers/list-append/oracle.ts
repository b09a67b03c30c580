import type { Op } from '../../history/op.ts';
import { type Element, type Key, readTxns, type Txn } from './txn.ts';

/**
 * Test support: is there a serial order of the transactions that explains
 * every committed read? Every `ok` txn is in it, any subset of the `info`
 * ones (each may or may not have committed), no `fail` one; run one after
 * another from empty lists and unwritten registers, each `ok` read must
 * return exactly the list (or the register's value) at that point. With `realtime`, a txn that completed before another was
 * invoked must also come first (strict serializability). Exponential: meant
 * for histories of a handful of txns. Pure.
 */
export function serializableByBruteForce(history: readonly Op[], opts: { realtime?: boolean } = {}): boolean {
  const txns = readTxns(history);
  const ok = txns.filter((t) => t.status === 'ok');
  const info = txns.filter((t) => t.status === 'info');
  for (let mask = 0; mask < 1 << info.length; mask++) {
    const chosen = [...ok, ...info.filter((_, i) => mask & (1 << i))];
    if (someOrder(chosen, opts.realtime ?? false)) return true;
  }
  return false;
}

function someOrder(txns: Txn[], realtime: boolean): boolean {
  const placed = new Set<number>();
  const lists = new Map<Key, Element[]>();
  // t must follow every chosen txn that completed before t was invoked.
  const mustFollow = (t: Txn) => txns.filter((u) => realtime && u.completeIndex !== null && u.status === 'ok' && u.completeIndex < t.invokeIndex);
  const before = new Map(txns.map((t) => [t.id, mustFollow(t)]));
  const place = (): boolean => {
    if (placed.size === txns.length) return true;
    for (const t of txns) {
      if (placed.has(t.id) || before.get(t.id)!.some((u) => !placed.has(u.id))) continue;
      const saved = new Map([...lists].map(([k, l]) => [k, [...l]]));
      if (run(t, lists)) {
        placed.add(t.id);
        if (place()) return true;
        placed.delete(t.id);
      }
      lists.clear();
      for (const [k, l] of saved) lists.set(k, l);
    }
    return false;
  };
  return place();
}

/** Applies t's appends and writes to `state`; false when one of its reads (if it is `ok`) disagrees. */
function run(t: Txn, state: Map<Key, Element[]>): boolean {
  for (const m of t.mops) {
    // A register is kept as the list of its writes: its value is the last.
    const list = state.get(m.key) ?? [];
    if (m.f === 'append' || m.f === 'w') state.set(m.key, [...list, m.value]);
    else if (t.status !== 'ok') continue;
    else if (m.f === 'read' && m.value !== (list.length === 0 ? null : list[list.length - 1])) return false;
    else if (m.f === 'r' && (m.value === null || m.value.length !== list.length || m.value.some((e, i) => e !== list[i]))) return false;
  }
  return true;
}
