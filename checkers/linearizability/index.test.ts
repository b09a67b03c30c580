import { describe, expect, it } from 'vitest';
import { defineModel } from '../models/model.ts';
import { checkLinearizable } from './index.ts';
import { fail, history, info, invoke, ok, type Draft } from './test-builders.ts';

describe('checkLinearizable', () => {
  it('reports the longest prefix, the culprits with their intervals, and the state after the prefix', () => {
    // write 1 returns, then a read sees 0: the write is placed, the read cannot follow it.
    const h = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 0));
    const v = checkLinearizable(h, { model: 'register', init: 0 });
    expect(v).toMatchObject({ valid: false, model: 'register', ops: 2, partitions: 1 });
    expect(v.counterexample).toEqual([
      {
        partition: null,
        prefix: [{ process: 0, f: 'write', input: 1, output: 1, type: 'ok', invokeIndex: 0, completeIndex: 1, startNs: 0, endNs: 1_000_000 }],
        unplaced: [{ process: 1, f: 'read', input: null, output: 0, type: 'ok', invokeIndex: 2, completeIndex: 3, startNs: 2_000_000, endNs: 3_000_000 }],
        state: '1',
      },
    ]);
  });

  it('gives the same verdict whatever was checked before: the reused core memory carries nothing over', () => {
    const small = history(invoke(0, 'write', 1), ok(0, 'write', 1), invoke(1, 'read'), ok(1, 'read', 0));
    const first = checkLinearizable(small, { model: 'register', init: 0 });
    // A larger history, many keys and kinds, leaves every table dirty.
    const big: Draft[] = [];
    for (let i = 0; i < 300; i++)
      big.push(
        invoke(i % 7, 'put', i % 5, `k${i % 11}`),
        ok(i % 7, 'put', i % 5, `k${i % 11}`),
        invoke(i % 7, 'get', null, `k${i % 11}`),
        ok(i % 7, 'get', i % 5, `k${i % 11}`),
      );
    expect(checkLinearizable(history(...big), { model: 'kv', init: null }).valid).toBe(true);
    const again = checkLinearizable(small, { model: 'register', init: 0 });
    expect({ ...again, elapsedMs: 0, verdictMs: 0 }).toEqual({ ...first, elapsedMs: 0, verdictMs: 0 });
  });

  it('places info writes in the prefix when they help, and lists the candidates left as unplaced', () => {
    const h = history(invoke(0, 'write', 1), invoke(1, 'write', 2), info(1, 'write', 2), ok(0, 'write', 1), invoke(2, 'read'), ok(2, 'read', 3));
    const [c] = checkLinearizable(h, { model: 'register', init: 0 }).counterexample!;
    expect(c.prefix.map((o) => [o.input, o.type]).sort()).toEqual([
      [1, 'ok'],
      [2, 'info'],
    ]);
    expect(c.unplaced.map((o) => [o.f, o.output])).toEqual([['read', 3]]);
  });

  it('gives an info op an open interval: no output, endNs null, completeIndex its info line', () => {
    // cas 5→6 can never apply from 0, and nothing writes 3: both are stuck.
    const h = history(invoke(0, 'cas', [5, 6]), info(0, 'cas', [5, 6]), invoke(1, 'read'), ok(1, 'read', 3));
    const [c] = checkLinearizable(h, { model: 'cas-register', init: 0 }).counterexample!;
    expect(c.prefix).toEqual([]);
    expect(c.state).toBe('0');
    expect(c.unplaced).toEqual([
      { process: 0, f: 'cas', input: [5, 6], type: 'info', invokeIndex: 0, completeIndex: 1, startNs: 0, endNs: null },
      { process: 1, f: 'read', input: null, output: 3, type: 'ok', invokeIndex: 2, completeIndex: 3, startNs: 2_000_000, endNs: 3_000_000 },
    ]);
  });

  it('checks kv key by key and names the failing key', () => {
    const h = history(
      invoke(0, 'put', 'x', 'a'),
      ok(0, 'put', 'x', 'a'),
      invoke(1, 'get', null, 'b'),
      ok(1, 'get', 'x', 'b'),
      invoke(1, 'get', null, 'a'),
      ok(1, 'get', 'x', 'a'),
    );
    const v = checkLinearizable(h, { model: 'kv', init: '' });
    expect(v).toMatchObject({ valid: false, partitions: 2, ops: 3 });
    expect(v.counterexample!.map((c) => c.partition)).toEqual(['b']);
  });

  it('drops fails, info reads and nemesis events, and treats a never-completed invoke as info', () => {
    const h = history(
      invoke(0, 'write', 1),
      fail(0, 'write', 1),
      invoke(1, 'read'),
      info(1, 'read'),
      info('nemesis', 'start-partition', 'n1'),
      invoke(2, 'write', 3),
      invoke(3, 'read'),
      ok(3, 'read', 3),
    );
    expect(checkLinearizable(h, { model: 'register', init: 0 })).toMatchObject({ valid: true, ops: 2 });
  });

  it('treats null as a value: a register starting at null reads null, not 0', () => {
    expect(checkLinearizable(history(invoke(0, 'read'), ok(0, 'read', null)), { model: 'register', init: null }).valid).toBe(true);
    expect(checkLinearizable(history(invoke(0, 'read'), ok(0, 'read', 0)), { model: 'register', init: null }).valid).toBe(false);
  });

  it('accepts a model object as well as a name', () => {
    const counter = defineModel<number>({
      name: 'counter',
      init: () => 0,
      step: (s, op) => (op.f === 'incr' ? { ok: true, state: s + 1 } : { ok: op.output === s, state: s }),
    });
    const h = history(invoke(0, 'incr'), invoke(1, 'incr'), ok(1, 'incr'), invoke(1, 'get'), ok(1, 'get', 1), ok(0, 'incr'), invoke(1, 'get'), ok(1, 'get', 2));
    expect(checkLinearizable(h, { model: counter })).toMatchObject({ valid: true, model: 'counter' });
  });

  it('throws on an unknown model and on a completion without an invoke', () => {
    expect(() => checkLinearizable([], { model: 'nope' })).toThrow(/unknown model "nope"/);
    expect(() => checkLinearizable(history(ok(0, 'read', 1)), { model: 'register' })).toThrow(/without an open invoke/);
  });
});

describe('checkLinearizable budgets', () => {
  // Twenty overlapping writes, then a read of a value never written: proving
  // this false means visiting ~20·2^19 configurations, far beyond either budget.
  const hard: Draft[] = [];
  for (let p = 0; p < 20; p++) hard.push(invoke(p, 'write', p));
  for (let p = 0; p < 20; p++) hard.push(ok(p, 'write', p));
  hard.push(invoke(20, 'read'), ok(20, 'read', 99));
  const h = history(...hard);

  it('gives unknown, never true, when the state budget runs out', () => {
    const v = checkLinearizable(h, { model: 'register', init: 0, maxStates: 1000 });
    expect(v).toMatchObject({ valid: 'unknown', reason: 'state budget exceeded (1000 memoised states)' });
    expect(v.counterexample).toBeUndefined();
  });

  it('gives unknown, never true, when the time budget runs out', () => {
    const v = checkLinearizable(h, { model: 'register', init: 0, timeoutMs: 20 });
    expect(v).toMatchObject({ valid: 'unknown', reason: 'timed out after 20 ms' });
  });

  it('names the partition that ran out, and still reports a violation found elsewhere', () => {
    const keyed = history(
      ...hard.map((d) => ({ ...d, key: 'k7', f: d.f === 'read' ? 'get' : 'put' })),
      invoke(30, 'put', 'x', 'k1'),
      ok(30, 'put', 'x', 'k1'),
      invoke(30, 'get', null, 'k1'),
      ok(30, 'get', '', 'k1'),
    );
    expect(
      checkLinearizable(
        keyed.filter((o) => o.key === 'k7'),
        { model: 'kv', init: '', maxStates: 1000 },
      ).reason,
    ).toBe('state budget exceeded (1000 memoised states) in partition k7');
    expect(checkLinearizable(keyed, { model: 'kv', init: '', maxStates: 1000 })).toMatchObject({ valid: false, counterexample: [{ partition: 'k1' }] });
  });
});

describe('checkLinearizable: the verdict first, then the counterexample under its own budget', () => {
  // Key "hard" first: twenty overlapping puts and a get of a value never put,
  // ~20·2^19 configurations to prove false. Key "easy" fails at once.
  const hard: Draft[] = [];
  for (let p = 0; p < 20; p++) hard.push(invoke(p, 'put', p, 'hard'));
  for (let p = 0; p < 20; p++) hard.push(ok(p, 'put', p, 'hard'));
  hard.push(invoke(20, 'get', null, 'hard'), ok(20, 'get', 99, 'hard'));
  const easy = [invoke(30, 'put', 1, 'easy'), ok(30, 'put', 1, 'easy'), invoke(30, 'get', null, 'easy'), ok(30, 'get', 2, 'easy')];
  const h = history(...hard, ...easy);

  it('decides false on the easy key without searching the hard one to the end, and says what the counterexample leaves out', () => {
    const v = checkLinearizable(h, { model: 'kv', explainTimeoutMs: 20 });
    expect(v).toMatchObject({ valid: false, counterexample: [{ partition: 'easy' }] });
    expect(v.partial).toMatchObject({ covers: ['easy'], unsearched: ['hard'] });
    expect(v.partial!.reason).toBe('timed out after 20 ms');
    expect(v.verdictMs).toBeLessThanOrEqual(v.elapsedMs);
  });

  it('gives a whole counterexample, with no partial, when its budget lets every key be searched', () => {
    const v = checkLinearizable(
      history(...easy, invoke(31, 'put', 1, 'other'), ok(31, 'put', 1, 'other'), invoke(31, 'get', null, 'other'), ok(31, 'get', 3, 'other')),
      {
        model: 'kv',
      },
    );
    expect(v.counterexample!.map((c) => c.partition)).toEqual(['easy', 'other']);
    expect(v.partial).toBeUndefined();
  });

  it('stays false, never unknown, when the counterexample has no time or memory at all', () => {
    expect(checkLinearizable(h, { model: 'kv', explainTimeoutMs: 0 })).toMatchObject({ valid: false, partial: { covers: ['easy'], unsearched: ['hard'] } });
    const v = checkLinearizable(h, { model: 'kv', explainMemoryBytes: 0 });
    expect(v).toMatchObject({ valid: false, partial: { covers: ['easy'], unsearched: ['hard'] } });
    expect(v.partial!.reason).toMatch(/^memory bound reached \(RSS over \d+ MB\)$/);
  });

  it('gives unknown with the cause, never true, when the process is over its memory bound', () => {
    const v = checkLinearizable(history(...hard), { model: 'kv', maxMemoryBytes: 1 });
    expect(v).toMatchObject({ valid: 'unknown' });
    expect(v.reason).toMatch(/^memory bound reached \(RSS over 0 MB\)/);
  });
});
