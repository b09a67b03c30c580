import { describe, expect, it } from 'vitest';
import { components, GraphBuilder, RW, WR, WW } from './graph.ts';

describe('GraphBuilder', () => {
  it('merges duplicate edges into one, OR-ing their kinds, and drops self-edges', () => {
    const b = new GraphBuilder(3);
    b.add(0, 1, WW);
    b.add(0, 2, RW);
    b.add(0, 1, WR);
    b.add(1, 1, WW);
    const g = b.build();
    expect(g.edgeCount).toBe(2);
    expect(g.kindsOf(0, 1)).toBe(WW | WR);
    expect(g.kindsOf(0, 2)).toBe(RW);
    expect(g.kindsOf(1, 1)).toBe(0);
  });
});

describe('components', () => {
  it('finds the cycles of the edges of a kind, numbering components in reverse topological order', () => {
    const b = new GraphBuilder(4);
    b.add(0, 1, WW);
    b.add(1, 0, RW);
    b.add(1, 2, WW);
    b.add(2, 3, WW);
    b.add(3, 2, WW);
    const g = b.build();
    const all = components(g, WW | RW);
    expect(all.count).toBe(2);
    expect(all.comp[0]).toBe(all.comp[1]);
    expect(all.comp[2]).toBe(all.comp[3]);
    // 0,1 → 2,3: the component edges run from higher numbers to lower.
    expect(all.comp[0]).toBeGreaterThan(all.comp[2]);
    expect(components(g, WW).count).toBe(3);
  });

  it('walks a 300,000-node cycle without overflowing the stack', () => {
    const n = 300_000;
    const b = new GraphBuilder(n);
    for (let v = 0; v < n; v++) b.add(v, (v + 1) % n, WW);
    expect(components(b.build(), WW).count).toBe(1);
  });
});
