/**
 * Edge cases of the WebAssembly search core and its JavaScript driver, held
 * against the brute-force oracle: budgets, memory that cannot grow (a core
 * whose exports can be made to fail), op kinds, Jepsen's semantics.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Op } from '../../history/op.ts';
import { defineModel, jsonEqual, models, type Model } from '../models/index.ts';
import { checkLinearizable, type LinearVerdict } from './index.ts';
import { bruteForceLinearizable } from './oracle.ts';
import { fail, history, info, invoke, ok, type Draft } from './test-builders.ts';

/** Core exports made to fail (return 0 / OUT_OF_MEMORY), to stand in for memory that cannot grow. */
const failing = vi.hoisted(() => new Set<string>());

vi.mock('./core.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('./core.ts')>();
  // A plain object of getters over a core: its exports object is frozen, so a Proxy over it may not lie.
  const faking = (real: import('./core.ts').SearchCore) => {
    const fake = {} as Record<string, unknown>;
    for (const name of Object.keys(real)) {
      Object.defineProperty(fake, name, {
        get: () => (failing.has(name) ? (name === 'walk' ? () => mod.Outcome.outOfMemory : () => 0) : (real as unknown as Record<string, unknown>)[name]),
      });
    }
    return fake as unknown as import('./core.ts').SearchCore;
  };
  const layout = faking(mod.searchCore());
  // The search cores too; the real one goes back to the pool, so that a failure leaves nothing behind.
  const fakes = new WeakMap<object, import('./core.ts').SearchCore>();
  return {
    ...mod,
    searchCore: () => layout,
    acquireSearchCore: () => {
      const real = mod.acquireSearchCore();
      const fake = faking(real);
      fakes.set(fake, real);
      return fake;
    },
    releaseSearchCore: (core: import('./core.ts').SearchCore) => mod.releaseSearchCore(fakes.get(core) ?? core),
  };
});

// ---- Random histories -------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

type Gen = (r: () => number, f: string) => { f: string; input: unknown; outputs: unknown[]; key?: string };

const gens: Record<string, { fs: string[]; op: Gen }> = {
  register: {
    fs: ['read', 'write'],
    op: (r, f) => ({ f, input: f === 'write' ? Math.floor(r() * 3) : null, outputs: f === 'read' ? [null, 0, 1, 2] : [null] }),
  },
  'cas-register': {
    fs: ['read', 'write', 'cas'],
    op: (r, f) => ({
      f,
      input: f === 'write' ? Math.floor(r() * 3) : f === 'cas' ? [Math.floor(r() * 3), Math.floor(r() * 3)] : null,
      outputs: f === 'read' ? [null, 0, 1, 2] : [null],
    }),
  },
  kv: {
    fs: ['get', 'put'],
    op: (r, f) => ({
      f,
      key: ['a', 'b'][Math.floor(r() * 2)],
      input: f === 'put' ? Math.floor(r() * 3) : null,
      outputs: f === 'get' ? [null, 0, 1, 2] : [null],
    }),
  },
  set: {
    fs: ['add', 'read'],
    op: (r, f) => ({ f, input: f === 'add' ? Math.floor(r() * 3) : null, outputs: f === 'read' ? [[], [0], [1], [0, 1], [0, 1, 2], [2]] : [null] }),
  },
  mutex: { fs: ['acquire', 'release'], op: (_r, f) => ({ f, input: null, outputs: [null] }) },
};

/** A random concurrent history: every kind of completion, nemesis lines, reinvokes and never-completed invokes. */
function randomHistory(model: string, seed: number, length: number, processes = 3): Op[] {
  const r = rng(seed);
  const g = gens[model];
  const open = new Map<number, { f: string; outputs: unknown[]; key?: string }>();
  const out: Draft[] = [];
  while (out.length < length) {
    if (r() < 0.05) {
      out.push(info('nemesis', 'kill', null));
      continue;
    }
    const p = Math.floor(r() * processes);
    const o = open.get(p);
    if (o === undefined || r() < 0.05) {
      // A fresh invoke (possibly over an open one: that one never completes).
      const op = g.op(r, g.fs[Math.floor(r() * g.fs.length)]);
      out.push(invoke(p, op.f, op.input, op.key));
      open.set(p, op);
      continue;
    }
    open.delete(p);
    const t = r();
    const value = o.outputs[Math.floor(r() * o.outputs.length)];
    if (t < 0.75) out.push(ok(p, o.f, o.f === 'read' || o.f === 'get' ? value : null, o.key));
    else if (t < 0.87) out.push(fail(p, o.f, null, o.key));
    else out.push(info(p, o.f, null, o.key));
  }
  return history(...out);
}

// ---- Tests ------------------------------------------------------------------

describe('differential: the wasm checker against the brute-force oracle', () => {
  it('agrees with the brute-force oracle on small random histories of every model', () => {
    for (const model of Object.keys(gens)) {
      for (let seed = 1; seed <= 150; seed++) {
        const h = randomHistory(model, seed * 7919 + model.length, 10 + (seed % 6));
        const want = bruteForceLinearizable(h, models[model]);
        const got = checkLinearizable(h, { model });
        expect(got.valid, `${model} seed ${seed}`).toBe(want);
      }
    }
  }, 60_000);

  it('a small check after a large one is not affected by what the large one left in memory', () => {
    const small = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 1));
    const bad = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 2));
    const before = [checkLinearizable(small, { model: 'register' }).valid, checkLinearizable(bad, { model: 'register' }).valid];
    // A large one: many concurrent writes and an impossible read grow the memo.
    const drafts: Draft[] = [];
    for (let p = 0; p < 14; p++) drafts.push(invoke(p, 'write', p));
    for (let p = 0; p < 14; p++) drafts.push(ok(p, 'write', p));
    drafts.push(invoke(99, 'read'), ok(99, 'read', 1234));
    for (let i = 0; i < 300; i++) drafts.push(invoke(100 + (i % 5), 'write', i), ok(100 + (i % 5), 'write', i));
    expect(checkLinearizable(history(...drafts), { model: 'register' }).valid).toBe(false);
    expect([checkLinearizable(small, { model: 'register' }).valid, checkLinearizable(bad, { model: 'register' }).valid]).toEqual(before);
    expect(before).toEqual([true, false]);
  });
});

describe('budgets', () => {
  const concurrent = (k: number): Op[] => {
    const drafts: Draft[] = [];
    for (let p = 0; p < k; p++) drafts.push(invoke(p, 'write', p));
    for (let p = 0; p < k; p++) drafts.push(ok(p, 'write', p));
    drafts.push(invoke(k, 'read'), ok(k, 'read', p0()));
    return history(...drafts);
  };
  const p0 = () => 0;

  it('a small maxStates gives unknown, never true', () => {
    const v = checkLinearizable(concurrent(12), { model: 'register', maxStates: 10 });
    expect(v.valid).toBe('unknown');
    expect(v.reason).toMatch(/state budget/);
  });

  it('maxStates: Infinity means no cap', () => {
    const h = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 1));
    expect(checkLinearizable(h, { model: 'register', maxStates: Infinity }).valid).toBe(true);
  });

  it('maxStates of 2^31 or more is a large cap, not a tiny or negative one', () => {
    const h = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 1));
    expect(checkLinearizable(h, { model: 'register', maxStates: 2 ** 31 }).valid).toBe(true);
    expect(checkLinearizable(h, { model: 'register', maxStates: 2 ** 32 }).valid).toBe(true);
  });

  it('a timeout is honoured even when the walk keeps stopping for model steps (every transition new)', () => {
    // A counter: adds of distinct powers of two make every subset a new
    // state, so the core needs a new transition every few turns; an
    // impossible read makes the search exhaustive. Each step costs 0.1 ms.
    let started = Date.now();
    const counter: Model = defineModel<number>({
      name: 'slow-counter',
      init: () => 0,
      step(state, op) {
        const until = performance.now() + 0.1;
        while (performance.now() < until);
        if (Date.now() - started > 5_000) throw new Error('guard: the check ignored its 200 ms timeout for 5 s');
        if (op.f === 'add') return { ok: true, state: state + (op.input as number) };
        return { ok: op.output === undefined || op.output === state, state };
      },
    });
    const drafts: Draft[] = [];
    for (let p = 0; p < 18; p++) drafts.push(invoke(p, 'add', 2 ** p));
    for (let p = 0; p < 18; p++) drafts.push(ok(p, 'add', null));
    drafts.push(invoke(99, 'read'), ok(99, 'read', -1));
    started = Date.now();
    const t0 = Date.now();
    const v = checkLinearizable(history(...drafts), { model: counter, timeoutMs: 200, maxStates: 1e8 });
    expect(v.valid).toBe('unknown');
    expect(v.reason).toMatch(/timed out/);
    expect(Date.now() - t0).toBeLessThan(2_000);
  }, 20_000);
});

describe('out of memory gives unknown', () => {
  const h = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 1));
  const withFailing = (names: string[], run: () => void) => {
    for (const n of names) failing.add(n);
    try {
      run();
    } finally {
      failing.clear();
    }
  };

  it('when a partition cannot be laid out (begin fails)', () => {
    withFailing(['begin'], () => expect(checkLinearizable(h, { model: 'register' }).valid).toBe('unknown'));
  });

  it('when the walk runs out of memory', () => {
    withFailing(['walk'], () => expect(checkLinearizable(h, { model: 'register' }).valid).toBe('unknown'));
  });

  it('when a transition cannot be stored', () => {
    // A mutex has no effects: each of its transitions comes from the model and is stored in the core.
    const locks = history(invoke(0, 'acquire'), ok(0, 'acquire'), invoke(0, 'release'), ok(0, 'release'));
    withFailing(['setTransition'], () => expect(checkLinearizable(locks, { model: 'mutex' }).valid).toBe('unknown'));
  });

  it('when the history itself cannot be laid out (history/kinds/scatter fail): unknown, not a throw', () => {
    for (const name of ['history', 'kinds', 'scatter']) {
      withFailing([name], () => {
        let v: LinearVerdict | Error;
        try {
          v = checkLinearizable(h, { model: 'register' });
        } catch (e) {
          v = e as Error;
        }
        expect(v instanceof Error ? `threw: ${v.message}` : v.valid, name).toBe('unknown');
      });
    }
  });

  it('the core still works after a simulated failure', () => {
    expect(checkLinearizable(h, { model: 'register' }).valid).toBe(true);
  });
});

describe('op kinds: ops that differ as JSON are not merged', () => {
  it('strings and numbers, null and undefined, objects and strings stay apart', () => {
    const reg = models.register;
    const cases: Array<[Draft[], boolean]> = [
      [[invoke(0, 'write', 1), ok(0, 'write', null), invoke(1, 'read'), ok(1, 'read', 1), invoke(1, 'read'), ok(1, 'read', '1')], false],
      [[invoke(0, 'write', '1'), ok(0, 'write', null), invoke(1, 'read'), ok(1, 'read', '1'), invoke(1, 'read'), ok(1, 'read', 1)], false],
      [
        [
          invoke(0, 'write', { a: 1, b: 2 }),
          ok(0, 'write', null),
          invoke(1, 'read'),
          ok(1, 'read', { b: 2, a: 1 }),
          invoke(1, 'read'),
          ok(1, 'read', '{"a":1,"b":2}'),
        ],
        false,
      ],
      [[invoke(0, 'write', '{"a":1}'), ok(0, 'write', null), invoke(1, 'read'), ok(1, 'read', '{"a":1}'), invoke(1, 'read'), ok(1, 'read', { a: 1 })], false],
      [[invoke(0, 'write', [1]), ok(0, 'write', null), invoke(1, 'read'), ok(1, 'read', [1]), invoke(1, 'read'), ok(1, 'read', { 0: 1 })], false],
    ];
    for (const [drafts, want] of cases) {
      const h = history(...drafts);
      expect(bruteForceLinearizable(h, reg)).toBe(want);
      expect(checkLinearizable(h, { model: reg }).valid).toBe(want);
    }
    expect(jsonEqual(null, undefined)).toBe(true);
  });
});

describe('info, fail, nemesis and reinvoke semantics', () => {
  it('info calls of one kind are used in turn: the walk places only the first left, and that is never wrong', () => {
    // Two info writes of 1 (same op), and a write of 0 between the reads:
    // 1, then 0, then 1 again needs both info writes, one before the write
    // of 0 and one after it. A third read of 1 after another 0 needs a third.
    const twice = [invoke(0, 'write', 1), info(0, 'write', 1), invoke(1, 'write', 1), info(1, 'write', 1), invoke(2, 'read'), ok(2, 'read', 1)];
    const zero = (p: number) => [invoke(p, 'write', 0), ok(p, 'write', 0), invoke(p, 'read'), ok(p, 'read', 0)];
    const one = (p: number) => [invoke(p, 'read'), ok(p, 'read', 1)];
    expect(checkLinearizable(history(...twice, ...zero(3), ...one(4)), { model: 'register', init: 0 }).valid).toBe(true);
    expect(checkLinearizable(history(...twice, ...zero(3), ...one(4), ...zero(5), ...one(6)), { model: 'register', init: 0 }).valid).toBe(false);
  });

  it('an info write may take effect after a later ok op, or never', () => {
    const h = history(
      invoke(0, 'write', 1),
      info(0, 'write', 1),
      invoke(1, 'read'),
      ok(1, 'read', null),
      invoke(1, 'read'),
      ok(1, 'read', 1),
      invoke(1, 'read'),
      ok(1, 'read', 1),
    );
    expect(checkLinearizable(h, { model: 'register' }).valid).toBe(true);
    const never = history(invoke(0, 'write', 1), info(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', null));
    expect(checkLinearizable(never, { model: 'register' }).valid).toBe(true);
  });

  it('a fail write never happened; a nemesis line is ignored', () => {
    const h = history(invoke(0, 'write', 1), fail(0, 'write', 1), info('nemesis', 'start', null), invoke(1, 'read'), ok(1, 'read', 1));
    expect(checkLinearizable(h, { model: 'register' }).valid).toBe(false);
  });

  it('an invoke over an open one makes the open one unknown, with no completion line', () => {
    const h = history(invoke(0, 'write', 1), invoke(0, 'write', 2), ok(0, 'write', 2), invoke(1, 'read'), ok(1, 'read', 1));
    const v = checkLinearizable(h, { model: 'register' });
    expect(v.valid).toBe(true);
    expect(v.ops).toBe(3);
    const bad = history(invoke(0, 'write', 1), invoke(0, 'write', 2), ok(0, 'write', 2), invoke(1, 'read'), ok(1, 'read', 3));
    const w = checkLinearizable(bad, { model: 'register' });
    expect(w.valid).toBe(false);
    expect(w.counterexample![0].unplaced.map((o) => [o.f, o.output])).toEqual([['read', 3]]);
    expect(bruteForceLinearizable(bad, models.register)).toBe(false);
  });

  it('more than 32 info writes and more than 32 calls (several bitset words) give the verdicts worked out by hand', () => {
    // 3 info writes before a read, 32 more after it: 35 infos (two info words), 37 calls (two words).
    const build = (read: unknown): Op[] => {
      const drafts: Draft[] = [invoke(50, 'write', 1), ok(50, 'write', null)];
      for (let i = 0; i < 3; i++) drafts.push(invoke(i, 'write', 10 + i), info(i, 'write', null));
      drafts.push(invoke(100, 'read'), ok(100, 'read', read));
      for (let i = 3; i < 35; i++) drafts.push(invoke(i, 'write', 10 + i), info(i, 'write', null));
      drafts.push(invoke(101, 'read'), ok(101, 'read', 44));
      return history(...drafts);
    };
    for (const [read, want] of [
      [7, false],
      [1, true],
      [12, true],
    ] as const) {
      const h = build(read);
      expect(checkLinearizable(h, { model: 'register' }).valid, `read ${read}`).toBe(want);
    }
  });

  it('the counterexample prefix is a valid sequence from the initial state and unplaced holds the blocked op', () => {
    const h = history(
      invoke(0, 'write', 1),
      ok(0, 'write', null),
      invoke(1, 'write', 2),
      invoke(2, 'read'),
      ok(2, 'read', 1),
      ok(1, 'write', null),
      invoke(2, 'read'),
      ok(2, 'read', 1),
    );
    const v = checkLinearizable(h, { model: 'register' });
    expect(v.valid).toBe(false);
    const [c] = v.counterexample!;
    let s: unknown = models.register.init();
    for (const op of c.prefix) {
      const r = models.register.step(s, { f: op.f, input: op.input, output: op.output });
      expect(r.ok).toBe(true);
      s = r.state;
    }
    expect(c.unplaced.length).toBeGreaterThan(0);
  });
});
