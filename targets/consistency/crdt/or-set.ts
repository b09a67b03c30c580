/** An OR-Set's state: every element with the tags of the adds that put it there, and the tags removes have seen. */
export interface ORSet {
  /** element → tags of adds not (yet known to be) removed. */
  readonly adds: Readonly<Record<string, readonly string[]>>;
  /** Tags of adds some remove has observed: tombstones, so a merge cannot bring them back. */
  readonly removed: readonly string[];
}

/**
 * Observed-remove set (Shapiro et al., 2011): each add carries a unique tag;
 * a remove deletes the tags it has seen, so an add concurrent with a remove
 * survives it (add wins). Tombstones are kept, never collected: runs are
 * minutes long. Pure; states are kept sorted so equal sets compare equal.
 */
export const orSet = {
  empty: (): ORSet => ({ adds: {}, removed: [] }),
  /** The elements, sorted. */
  value: (s: ORSet): string[] => Object.keys(s.adds).sort(),
  /** `s` with `element` added under `tag`, which must be unique across replicas (replica name and a counter). */
  add(s: ORSet, element: string, tag: string): ORSet {
    if (s.removed.includes(tag)) return s;
    return { adds: { ...s.adds, [element]: union(s.adds[element] ?? [], [tag]) }, removed: s.removed };
  },
  /** `s` without `element`: every tag of it seen here becomes a tombstone. */
  remove(s: ORSet, element: string): ORSet {
    const tags = s.adds[element];
    if (!tags) return s;
    const { [element]: _, ...rest } = s.adds;
    return { adds: rest, removed: union(s.removed, tags) };
  },
  merge(a: ORSet, b: ORSet): ORSet {
    const removed = union(a.removed, b.removed);
    const dead = new Set(removed);
    const adds: Record<string, string[]> = {};
    for (const element of new Set([...Object.keys(a.adds), ...Object.keys(b.adds)])) {
      const live = union(a.adds[element] ?? [], b.adds[element] ?? []).filter((t) => !dead.has(t));
      if (live.length > 0) adds[element] = live;
    }
    return { adds: sortedKeys(adds), removed };
  },
};

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function sortedKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}
