import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizable } from './index.ts';
import { simulateCasRegister } from './simulate.ts';

// Histories long enough that the memo's compact encoding (frontier, window
// words) matters, which the ≤ 7-op oracle histories never reach.
describe('checkLinearizable on simulated cas-register histories', () => {
  it('judges every history of an atomic register linearizable, info ops included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 20, max: 400 }),
        fc.integer({ min: 2, max: 8 }),
        fc.constantFrom(0, 0.02, 0.1),
        (seed, ops, processes, infoRate) => {
          const h = simulateCasRegister({ ops, processes, seed, infoRate });
          expect(checkLinearizable(h, { model: 'cas-register', init: 0 }).valid).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds a read of a value never written, however late', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 20, max: 300 }),
        fc.integer({ min: 2, max: 6 }),
        fc.nat(),
        (seed, ops, processes, pick) => {
          const h = simulateCasRegister({ ops, processes, seed, infoRate: 0 });
          const reads = h.filter((o) => o.type === 'ok' && o.f === 'read');
          fc.pre(reads.length > 0);
          const target = reads[pick % reads.length].index;
          const bad = h.map((o) => (o.index === target ? { ...o, value: 99 } : o));
          const v = checkLinearizable(bad, { model: 'cas-register', init: 0 });
          expect(v.valid).toBe(false);
          expect(v.counterexample![0].unplaced.some((o) => o.completeIndex === target)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
