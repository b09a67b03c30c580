/** A G-Counter's state: each replica's own count of increments. */
export type GCounter = Readonly<Record<string, number>>;

/**
 * Grow-only counter (Shapiro et al., 2011): each replica counts its own
 * increments; the value is the sum, and merging takes each replica's
 * maximum, so concurrent increments on different replicas all survive. Pure.
 */
export const gCounter = {
  empty: (): GCounter => ({}),
  value: (c: GCounter): number => Object.values(c).reduce((sum, n) => sum + n, 0),
  /** `c` with `replica`'s count raised by `by` (≥ 0). */
  increment(c: GCounter, replica: string, by = 1): GCounter {
    if (!(by >= 0)) throw new Error(`a G-Counter only grows; cannot add ${by}`);
    return { ...c, [replica]: (c[replica] ?? 0) + by };
  },
  /** The least state both `a` and `b` lead to: commutative, associative, idempotent. */
  merge(a: GCounter, b: GCounter): GCounter {
    const out: Record<string, number> = { ...a };
    for (const [replica, n] of Object.entries(b)) out[replica] = Math.max(out[replica] ?? 0, n);
    return out;
  },
};
