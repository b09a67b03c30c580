import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../history/op.ts';
import { models } from '../models/index.ts';
import { checkLinearizable } from './index.ts';
import { bruteForceLinearizable } from './oracle.ts';
import { fail, history, info, invoke, ok, type Draft } from './test-builders.ts';

/** How a random history draws ops and ok outputs for one model, from small domains so that both verdicts are common. */
interface Gen {
  model: string;
  /** What the test is called, when not the model's name. */
  label?: string;
  inits: unknown[];
  op(a: number): { f: string; input: unknown; key?: string };
  output(f: string, b: number, input: unknown): unknown;
}

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length];
const subset = (mask: number): number[] => [0, 1, 2].filter((e) => mask & (1 << e));

const gens: Gen[] = [
  {
    model: 'register',
    inits: [null, 0],
    op: (a) => (a % 2 ? { f: 'read', input: null } : { f: 'write', input: pick([0, 1, 2], a >> 1) }),
    output: (_f, b) => pick([null, 0, 1, 2], b),
  },
  {
    model: 'cas-register',
    inits: [0],
    op: (a) =>
      pick(
        [
          { f: 'read', input: null },
          { f: 'write', input: pick([0, 1, 2], a >> 2) },
          { f: 'cas', input: [pick([0, 1, 2], a >> 2), pick([0, 1, 2], a >> 4)] },
        ],
        a,
      ),
    output: (_f, b) => pick([0, 1, 2], b),
  },
  {
    model: 'kv',
    inits: [''],
    op: (a) => {
      const key = pick(['a', 'b'], a >> 2);
      const v = pick(['x', 'y'], a >> 3);
      return pick(
        [
          { f: 'get', input: null, key },
          { f: 'put', input: v, key },
          { f: 'append', input: v, key },
          { f: 'cas', input: [pick(['', 'x', 'xy'], a >> 4), v], key },
        ],
        a,
      );
    },
    output: (_f, b) => pick(['', 'x', 'y', 'xy', 'yx'], b),
  },
  {
    // Appends whose texts run into each other ('a' + 'b' = 'ab'), reads of
    // texts they may or may not build, and puts and cas that reset them:
    // what the search's forced reads and text pruning must get right.
    model: 'kv',
    label: 'kv appends',
    inits: [null, '', 'a'],
    op: (a) =>
      pick(
        [
          { f: 'append', input: pick(['a', 'b', 'ab'], a >> 3), key: 'k' },
          { f: 'get', input: null, key: 'k' },
          { f: 'append', input: pick(['a', 'b'], a >> 3), key: 'k' },
          { f: 'get', input: null, key: 'k' },
          { f: 'put', input: pick([null, 'a', 'b', 5], a >> 3), key: 'k' },
          { f: 'cas', input: [pick([null, 'a', 'ab'], a >> 3), pick(['', 'b'], a >> 5)], key: 'k' },
        ],
        a,
      ),
    output: (_f, b) => pick(['', 'a', 'ab', 'aab', 'ba', 'abab', 'b', null, '5a', 'aba'], b),
  },
  {
    // Transactions of one or two reads and writes over x and y; an ok
    // transaction's reads see 0, 1 or nil (nothing known).
    model: 'multi-register',
    inits: [{ x: 0, y: 0 }],
    op: (a) => ({
      f: 'txn',
      input: Array.from({ length: 1 + (a % 2) }, (_, i) => {
        const bits = a >> (1 + 3 * i);
        return bits % 2 ? ['write', pick(['x', 'y'], bits >> 1), pick([0, 1], bits >> 2)] : ['read', pick(['x', 'y'], bits >> 1), null];
      }),
    }),
    output: (_f, b, input) =>
      (input as Array<[string, string, unknown]>).map(([f, k, v], i) => (f === 'read' ? [f, k, pick([0, 1, null], b >> (2 * i))] : [f, k, v])),
  },
  {
    model: 'set',
    inits: [undefined],
    op: (a) => (a % 2 ? { f: 'read', input: null } : { f: 'add', input: pick([0, 1, 2], a >> 1) }),
    output: (_f, b) => subset(b % 8),
  },
  {
    model: 'mutex',
    inits: [undefined],
    op: (a) =>
      pick(
        [
          { f: 'acquire', input: null },
          { f: 'release', input: null },
        ],
        a,
      ),
    output: () => null,
  },
];

/**
 * A random concurrent history of at most 7 ops on 2–4 processes: each event
 * lets one process invoke (if idle) or complete (ok, fail or info); a
 * process that ended info never invokes again; some ops never complete, and
 * nemesis events are sprinkled in.
 */
const historyArb = (gen: Gen) =>
  fc
    .record({
      processes: fc.integer({ min: 2, max: 4 }),
      init: fc.constantFrom(...gen.inits),
      events: fc.array(fc.tuple(fc.nat(3), fc.nat(1 << 10), fc.nat(1 << 10)), { maxLength: 16 }),
    })
    .map(({ processes, init, events }) => {
      const drafts: Draft[] = [];
      const open = new Map<number, { f: string; input: unknown; key?: string }>();
      const crashed = new Set<number>();
      let invoked = 0;
      for (const [p0, a, b] of events) {
        const p = p0 % processes;
        if (a % 23 === 0) drafts.push(info('nemesis', 'start-partition', null));
        if (crashed.has(p)) continue;
        const pending = open.get(p);
        if (!pending) {
          if (invoked === 7) continue;
          const op = gen.op(a);
          open.set(p, op);
          invoked++;
          drafts.push(invoke(p, op.f, op.input, op.key));
          continue;
        }
        open.delete(p);
        const kind = b % 6;
        if (kind < 3)
          drafts.push(
            ok(
              p,
              pending.f,
              ['mutex', 'multi-register'].includes(gen.model) || ['read', 'get'].includes(pending.f) ? gen.output(pending.f, a, pending.input) : pending.input,
              pending.key,
            ),
          );
        else if (kind === 3) drafts.push(fail(p, pending.f, pending.input, pending.key));
        else {
          drafts.push(info(p, pending.f, pending.input, pending.key));
          crashed.add(p);
        }
      }
      return { history: history(...drafts), init };
    });

describe('checkLinearizable agrees with the brute-force oracle', () => {
  for (const gen of gens) {
    it(`${gen.label ?? gen.model}: 3000 random histories (≤ 7 ops, 2–4 processes, info and fail)`, () => {
      const model = models[gen.model];
      const seen = { true: 0, false: 0 };
      fc.assert(
        fc.property(historyArb(gen), ({ history: h, init }: { history: Op[]; init: unknown }) => {
          const expected = bruteForceLinearizable(h, model, init);
          const verdict = checkLinearizable(h, { model: gen.model, init });
          seen[String(expected) as 'true' | 'false']++;
          expect(verdict.valid).toBe(expected);
          if (verdict.valid === false) expect(verdict.counterexample!.every((c) => c.unplaced.length > 0)).toBe(true);
        }),
        { numRuns: 3000 },
      );
      // The generator must exercise both verdicts, or agreement proves little.
      expect(Math.min(seen.true, seen.false)).toBeGreaterThan(300);
    });
  }
});
