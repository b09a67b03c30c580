import { describe, expect, it } from 'vitest';
import { Budget, type Cycle, findCycles } from './cycles.ts';
import { type Graph, GraphBuilder, REALTIME, RW, WR, WW } from './graph.ts';

/** A random graph of up to 7 txns, each edge one or two kinds. */
function randomGraph(seed: number): Graph {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const n = 2 + Math.floor(rand() * 6);
  const b = new GraphBuilder(n);
  const kinds = [WW, WR, RW, RW, REALTIME];
  const edges = Math.floor(rand() * n * 2);
  for (let i = 0; i < edges; i++) {
    const a = Math.floor(rand() * n);
    const c = Math.floor(rand() * n);
    b.add(a, c, kinds[Math.floor(rand() * kinds.length)]);
    if (rand() < 0.2) b.add(a, c, kinds[Math.floor(rand() * kinds.length)]);
  }
  return b.build();
}

/** Every simple cycle, each edge taking each kind it has: the kinds of each, as lists. */
function allCycleKinds(g: Graph): number[][] {
  const out: number[][] = [];
  const walk = (start: number, v: number, seen: Set<number>, kinds: number[]) => {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
      const w = g.targets[e];
      for (const bit of [WW, WR, RW, REALTIME]) {
        if (!(g.kinds[e] & bit)) continue;
        if (w === start) out.push([...kinds, bit]);
        else if (w > start && !seen.has(w)) walk(start, w, new Set([...seen, w]), [...kinds, bit]);
      }
    }
  };
  for (let v = 0; v < g.nodeCount; v++) walk(v, v, new Set([v]), []);
  return out;
}

const rwCount = (ks: number[]) => ks.filter((k) => k === RW).length;
const adjacentRw = (ks: number[]) => ks.some((k, i) => k === RW && ks[(i + 1) % ks.length] === RW);

describe('findCycles agrees with enumerating every simple cycle', () => {
  it('on 3,000 random graphs, for each class and its real-time variant', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const g = randomGraph(seed);
      const cycles = allCycleKinds(g);
      const found = findCycles(g, new Budget());
      const types = new Set(found.cycles.map((c) => c.type));
      const has = (...ts: string[]) => ts.some((t) => types.has(t as Cycle['type']));
      const exists = (pred: (ks: number[]) => boolean, rt: boolean) => cycles.some((ks) => (rt || !ks.includes(REALTIME)) && pred(ks));
      const why = `seed ${seed}: found ${[...types].join(', ')}`;
      for (const rt of [false, true]) {
        const v = (t: string) => (rt ? [t, `${t}-realtime`] : [t]);
        expect(has(...v('G0')), why).toBe(exists((ks) => ks.every((k) => k === WW || k === REALTIME), rt));
        expect(has(...v('G1c')), why).toBe(exists((ks) => rwCount(ks) === 0 && ks.includes(WR), rt));
        expect(has(...v('G-single')), why).toBe(exists((ks) => rwCount(ks) === 1, rt));
        expect(has(...v('G-single'), ...v('G-nonadjacent')), why).toBe(exists((ks) => rwCount(ks) >= 1 && !adjacentRw(ks), rt));
        expect(has(...v('G-single'), ...v('G-nonadjacent'), ...v('G2-item')), why).toBe(exists((ks) => rwCount(ks) >= 1, rt));
      }
      expect(found.undecided).toEqual([]);
      // Every reported cycle is one: each step's kind is on its edge.
      for (const c of found.cycles) {
        c.nodes.forEach((v, i) => {
          expect(g.kindsOf(v, c.nodes[(i + 1) % c.nodes.length]) & c.kinds[i], why).toBeTruthy();
        });
      }
    }
  });
});
