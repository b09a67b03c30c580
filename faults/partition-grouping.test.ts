import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Component } from '../runtime/component.ts';
import { createFault, FaultInputError } from './index.ts';
import { type Grouping, grudge } from './partition-grouping.ts';
import { mulberry32 } from './prng.ts';

const five = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** Who each member can still talk to (itself included), given the pairs cut. */
function sees(members: readonly string[], cut: readonly [string, string][]): Map<string, string[]> {
  const blocked = new Set(cut.map(([a, b]) => `${a} ${b}`));
  const isCut = (a: string, b: string) => blocked.has(`${a} ${b}`) || blocked.has(`${b} ${a}`);
  return new Map(members.map((m) => [m, members.filter((o) => o === m || !isCut(m, o)).sort()]));
}

describe('partition groupings', () => {
  it('one and leader: the member alone, the rest together, every pair across cut', () => {
    expect(grudge('one', ['a', 'b', 'c'], Math.random, 'b')).toEqual({
      groups: [['b'], ['a', 'c']],
      cut: [
        ['a', 'b'],
        ['b', 'c'],
      ],
    });
    expect(grudge('leader', ['db', 'db-replica-1'], Math.random, 'db')).toEqual({ groups: [['db'], ['db-replica-1']], cut: [['db', 'db-replica-1']] });
    expect(() => grudge('one', ['a', 'b'], Math.random, 'z')).toThrow('z is not one of a, b');
  });

  it('halves: the smaller half first, each pair across cut, and the same seed the same halves', () => {
    const g = grudge('halves', five, mulberry32(7));
    expect(g.groups!.map((x) => x.length)).toEqual([2, 3]);
    expect(g.cut).toHaveLength(6);
    expect(grudge('halves', five, mulberry32(7))).toEqual(g);
  });

  it('bridge: the halves cannot talk, the member in the middle talks to everyone', () => {
    const { cut } = grudge('bridge', five, mulberry32(3));
    const view = sees(five, cut);
    const bridges = five.filter((m) => view.get(m)!.length === 5);
    expect(bridges).toHaveLength(1);
    expect(cut).toHaveLength(4); // 2 × 2 across the halves
  });

  it('majorities ring on five: each member sees exactly a majority, no two the same one (Jepsen’s perfect ring)', () => {
    const { cut } = grudge('majorities-ring', five, mulberry32(11));
    const view = sees(five, cut);
    for (const seen of view.values()) expect(seen).toHaveLength(3);
    expect(new Set([...view.values()].map((s) => s.join())).size).toBe(5);
  });

  it('majorities ring on three is the bridge; on two it cuts nothing', () => {
    const view = sees(['a', 'b', 'c'], grudge('majorities-ring', ['a', 'b', 'c'], mulberry32(1)).cut);
    expect([...view.values()].map((s) => s.length).sort()).toEqual([2, 2, 3]);
    expect(grudge('majorities-ring', ['a', 'b'], mulberry32(1)).cut).toEqual([]);
  });

  it('for any cluster of 2–9 members and any seed: only members are cut, each pair once; a majorities ring leaves every member a majority, distinct from 4 members up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.integer(), fc.constantFrom<Grouping>('halves', 'bridge', 'majorities-ring'), (n, seed, grouping) => {
        const members = Array.from({ length: n }, (_, i) => `m${i}`);
        const { cut } = grudge(grouping, members, mulberry32(seed));
        const keys = cut.map(([a, b]) => `${a} ${b}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const [a, b] of cut) {
          expect(a < b).toBe(true);
          expect(members).toContain(a);
          expect(members).toContain(b);
        }
        if (grouping === 'majorities-ring' && n >= 3) {
          const view = sees(members, cut);
          const majority = Math.floor(n / 2) + 1;
          for (const seen of view.values()) expect(seen.length).toBeGreaterThanOrEqual(majority);
          if (n >= 4) expect(new Set([...view.values()].map((s) => s.join())).size).toBe(n);
          expect(cut.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});

describe('the partition fault, built', () => {
  const member = (name: string): Component => ({
    name,
    kind: 'etcd',
    host: '127.0.0.1',
    port: 1,
    stop: async () => undefined,
    [Symbol.asyncDispose]: async () => undefined,
  });
  const ctx = {
    toxiproxyUrl: 'http://127.0.0.1:1',
    components: new Map(['db-1', 'db-2', 'db-3', 'target'].map((n) => [n, member(n)])),
    links: new Map([['db-1-to-db-2', { from: 'db-1', to: 'db-2' }]]),
  };

  it('takes its members from a pattern as one fault, with defaults filled in', () => {
    const fault = createFault('partition', 'db-*', {}, ctx);
    expect(fault).toMatchObject({ kind: 'partition', on: 'db-*', attributes: { grouping: 'one', seed: 0 } });
  });

  it('refuses fewer than two members, a node that is no member, and an unknown grouping, naming what was expected', () => {
    expect(() => createFault('partition', 'target', {}, ctx)).toThrow(
      new FaultInputError('partition fault: "target" matches target; a partition needs two members or more'),
    );
    expect(() => createFault('partition', 'db-*', { node: 'target' }, ctx)).toThrow('node "target" is not one of its members (db-1, db-2, db-3)');
    expect(() => createFault('partition', 'db-*', { node: 'db-1', grouping: 'halves' }, ctx)).toThrow('node is for grouping "one"');
    expect(() => createFault('partition', 'db-*', { grouping: 'thirds' }, ctx)).toThrow(
      'grouping: expected one of one, leader, halves, majorities-ring, bridge, got "thirds"',
    );
  });
});
