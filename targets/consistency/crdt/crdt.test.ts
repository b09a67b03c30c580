import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GCounter, gCounter } from './g-counter.ts';
import { type LWWRegister, lwwRegister } from './lww-register.ts';
import { type ORSet, orSet } from './or-set.ts';
import { type PNCounter, pnCounter } from './pn-counter.ts';

const replicas = ['a', 'b', 'c'];
const replica = fc.constantFrom(...replicas);

/** A CRDT as the laws see it: states, a merge, and how to compare values. */
interface Lattice<S> {
  name: string;
  state: fc.Arbitrary<S>;
  merge(a: S, b: S): S;
  value(s: S): unknown;
}

const gState = fc.array(fc.tuple(replica, fc.nat(5)), { maxLength: 8 }).map((ops) => ops.reduce<GCounter>((c, [r, n]) => gCounter.increment(c, r, n), {}));
const pnState = fc
  .array(fc.tuple(replica, fc.integer({ min: -5, max: 5 })), { maxLength: 8 })
  .map((ops) => ops.reduce<PNCounter>((c, [r, n]) => pnCounter.add(c, r, n), pnCounter.empty()));
// Tags drawn from a small space, as if from a few replicas' counters, so that states share tags and tombstones.
const orState = fc
  .array(fc.tuple(fc.boolean(), fc.constantFrom('x', 'y', 'z'), fc.integer({ min: 0, max: 6 })), { maxLength: 10 })
  .map((ops) => ops.reduce<ORSet>((s, [add, e, t]) => (add ? orSet.add(s, e, `${e}${t}`) : orSet.remove(s, e)), orSet.empty()));
const lwwState = fc.record({ value: fc.integer({ min: 0, max: 3 }), timeMs: fc.integer({ min: 0, max: 3 }), replica }) as fc.Arbitrary<LWWRegister<number>>;

const lattices: Lattice<unknown>[] = [
  { name: 'G-Counter', state: gState, merge: gCounter.merge as never, value: gCounter.value as never },
  { name: 'PN-Counter', state: pnState, merge: pnCounter.merge as never, value: pnCounter.value as never },
  { name: 'OR-Set', state: orState, merge: orSet.merge as never, value: orSet.value as never },
  { name: 'LWW-register', state: lwwState, merge: lwwRegister.merge as never, value: (s) => (s as LWWRegister).value },
];

describe.each(lattices)('$name merge', ({ state, merge, value }) => {
  it('is commutative, associative and idempotent (as values), so replicas that have seen the same states agree', () => {
    fc.assert(
      fc.property(state, state, state, (a, b, c) => {
        expect(value(merge(a, b))).toEqual(value(merge(b, a)));
        expect(value(merge(merge(a, b), c))).toEqual(value(merge(a, merge(b, c))));
        expect(value(merge(a, a))).toEqual(value(a));
      }),
    );
  });
});

describe('replicas that exchange their states', () => {
  it('PN-Counter: converge to the sum of every change made anywhere, whatever the gossip order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(replica, fc.integer({ min: -3, max: 3 })), { maxLength: 30 }),
        fc.array(fc.tuple(replica, replica), { maxLength: 30 }),
        (ops, syncs) => {
          const states = new Map(replicas.map((r) => [r, pnCounter.empty()]));
          for (const [i, [r, by]] of ops.entries()) {
            states.set(r, pnCounter.add(states.get(r)!, r, by));
            const sync = syncs[i];
            if (sync) states.set(sync[1], pnCounter.merge(states.get(sync[1])!, states.get(sync[0])!));
          }
          const all = [...states.values()].reduce(pnCounter.merge);
          const total = ops.reduce((sum, [, by]) => sum + by, 0);
          for (const r of replicas) expect(pnCounter.value(pnCounter.merge(states.get(r)!, all))).toBe(total);
        },
      ),
    );
  });

  it('OR-Set: converge; an add concurrent with a remove of the same element survives it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(replica, fc.boolean(), fc.constantFrom('x', 'y')), { maxLength: 30 }),
        fc.array(fc.tuple(replica, replica), { maxLength: 30 }),
        (ops, syncs) => {
          const states = new Map(replicas.map((r) => [r, orSet.empty()]));
          for (const [i, [r, add, e]] of ops.entries()) {
            states.set(r, add ? orSet.add(states.get(r)!, e, `${r}-${i}`) : orSet.remove(states.get(r)!, e));
            const sync = syncs[i];
            if (sync) states.set(sync[1], orSet.merge(states.get(sync[1])!, states.get(sync[0])!));
          }
          const all = [...states.values()].reduce(orSet.merge);
          for (const r of replicas) expect(orSet.merge(states.get(r)!, all)).toEqual(all);
        },
      ),
    );
    const base = orSet.add(orSet.empty(), 'x', 'a1');
    const removedOnA = orSet.remove(base, 'x');
    const addedAgainOnB = orSet.add(base, 'x', 'b1');
    expect(orSet.value(orSet.merge(removedOnA, addedAgainOnB))).toEqual(['x']);
    expect(orSet.value(orSet.merge(removedOnA, base))).toEqual([]);
  });

  it('an LWW-register used as a counter converges too, but keeps only one of two concurrent increments', () => {
    const zero = lwwRegister.write(0, 0, 'a');
    const onA = lwwRegister.write(zero.value + 1, 10, 'a');
    const onB = lwwRegister.write(zero.value + 1, 10, 'b');
    expect(lwwRegister.merge(onA, onB)).toEqual(lwwRegister.merge(onB, onA));
    expect(lwwRegister.merge(onA, onB).value).toBe(1); // two increments, one survives

    const viaCrdt = pnCounter.merge(pnCounter.add(pnCounter.empty(), 'a', 1), pnCounter.add(pnCounter.empty(), 'b', 1));
    expect(pnCounter.value(viaCrdt)).toBe(2);
  });

  it('G-Counter refuses to shrink', () => {
    expect(() => gCounter.increment({}, 'a', -1)).toThrow('a G-Counter only grows; cannot add -1');
  });
});
