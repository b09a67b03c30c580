import { type GCounter, gCounter } from './g-counter.ts';

/** A PN-Counter's state: a G-Counter of increments and one of decrements. */
export interface PNCounter {
  readonly p: GCounter;
  readonly n: GCounter;
}

/** Counter that goes both ways: two G-Counters, value = increments − decrements, each merged as a G-Counter. Pure. */
export const pnCounter = {
  empty: (): PNCounter => ({ p: {}, n: {} }),
  value: (c: PNCounter): number => gCounter.value(c.p) - gCounter.value(c.n),
  /** `c` changed by `by` (either sign) on `replica`. */
  add(c: PNCounter, replica: string, by: number): PNCounter {
    return by >= 0 ? { p: gCounter.increment(c.p, replica, by), n: c.n } : { p: c.p, n: gCounter.increment(c.n, replica, -by) };
  },
  merge: (a: PNCounter, b: PNCounter): PNCounter => ({ p: gCounter.merge(a.p, b.p), n: gCounter.merge(a.n, b.n) }),
};
