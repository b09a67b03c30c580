import { describe, expect, it } from 'vitest';
import { checkLinearizable } from '../../checkers/linearizability/index.ts';
import { checkStaleness } from '../../checkers/staleness.ts';
import { generateHistory } from './generate.ts';

describe('generateHistory', () => {
  it('is deterministic in its seed', () => {
    const spec = { model: 'cas-register', processes: 10, ops: 200, store: 'linearizable' } as const;
    expect(generateHistory({ ...spec, seed: 1 })).toEqual(generateHistory({ ...spec, seed: 1 }));
    expect(generateHistory({ ...spec, seed: 1 })).not.toEqual(generateHistory({ ...spec, seed: 2 }));
  });

  it('writes well-formed histories: dense indices, monotonic time, one completion per invoke, a crashed process never returns', () => {
    const h = generateHistory({ model: 'kv', processes: 10, ops: 500, seed: 3, store: 'linearizable', infoRate: 0.1 });
    expect(h.map((op) => op.index)).toEqual(h.map((_, i) => i));
    expect(h.every((op, i) => i === 0 || op.time >= h[i - 1].time)).toBe(true);
    const open = new Set<unknown>();
    const crashed = new Set<unknown>();
    for (const op of h) {
      expect(crashed.has(op.process)).toBe(false);
      if (op.type === 'invoke') {
        expect(open.has(op.process)).toBe(false);
        open.add(op.process);
      } else {
        expect(open.delete(op.process)).toBe(true);
        if (op.type === 'info') crashed.add(op.process);
      }
    }
    expect(open.size).toBe(0);
    expect(crashed.size).toBeGreaterThan(0);
    expect(h.filter((op) => op.type === 'invoke')).toHaveLength(500);
  });

  it('gives linearizable histories from the linearizable store and stale reads from the lagging one', () => {
    for (const model of ['register', 'cas-register', 'kv'] as const) {
      const good = generateHistory({ model, processes: 10, ops: 300, seed: 5, store: 'linearizable' });
      expect(checkLinearizable(good, { model }).valid).toBe(true);
      const bad = generateHistory({ model, processes: 10, ops: 300, seed: 5, store: 'lagging', staleReadRate: 0.5 });
      expect(checkLinearizable(bad, { model }).valid).toBe(false);
      expect(checkStaleness(bad).staleReads).toBeGreaterThan(0);
    }
  });
});
