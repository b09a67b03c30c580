import { describe, expect, it } from 'vitest';
import { models } from './index.ts';
import { jsonEqual, stableJson } from './model.ts';

const step = (name: string, state: unknown, f: string, input: unknown, output?: unknown, key?: string) =>
  models[name].step(state, { f, input, output, ...(key === undefined ? {} : { key }) });

describe('models', () => {
  it('lists each model under its own name', () => {
    for (const [name, model] of Object.entries(models)) expect(model.name).toBe(name);
  });

  it('register: reads the value, null included; writes replace it', () => {
    const s = models.register.init(null);
    expect(step('register', s, 'read', null, null).ok).toBe(true);
    expect(step('register', s, 'read', null, 0).ok).toBe(false);
    expect(step('register', s, 'write', { a: [1] }).state).toEqual({ a: [1] });
    expect(step('register', { a: 1, b: 2 }, 'read', null, { b: 2, a: 1 }).ok).toBe(true);
  });

  it('cas-register: cas applies only from the current value', () => {
    expect(step('cas-register', 0, 'cas', [0, 2])).toEqual({ ok: true, state: 2 });
    expect(step('cas-register', 1, 'cas', [0, 2])).toEqual({ ok: false, state: 1 });
    expect(() => step('cas-register', 0, 'cas', 3)).toThrow(/\[from, to\]/);
  });

  it('kv: keys start at the initial value and change independently; append concatenates', () => {
    let s = models.kv.init('');
    s = step('kv', s, 'append', 'x', undefined, 'a').state;
    s = step('kv', s, 'append', 'y', undefined, 'a').state;
    expect(step('kv', s, 'get', null, 'xy', 'a').ok).toBe(true);
    expect(step('kv', s, 'get', null, '', 'b').ok).toBe(true);
    expect(step('kv', s, 'cas', ['xy', 'z'], undefined, 'a')).toMatchObject({ ok: true });
    expect(step('kv', s, 'cas', ['', 'z'], undefined, 'a').ok).toBe(false);
    expect(models.kv.partition!({ f: 'get', input: null, output: undefined, key: 'k7' })).toBe('k7');
  });

  it('set: reads compare as sets, in any order', () => {
    let s = models.set.init();
    s = step('set', s, 'add', 2).state;
    s = step('set', s, 'add', 1).state;
    expect(step('set', s, 'read', null, [1, 2]).ok).toBe(true);
    expect(step('set', s, 'read', null, [2, 1]).ok).toBe(true);
    expect(step('set', s, 'read', null, [1]).ok).toBe(false);
    expect(models.set.hash(step('set', s, 'add', 1).state)).toBe(models.set.hash(s));
  });

  it('mutex: acquire only when free, release only when held', () => {
    expect(step('mutex', false, 'acquire', null)).toEqual({ ok: true, state: true });
    expect(step('mutex', true, 'acquire', null).ok).toBe(false);
    expect(step('mutex', false, 'release', null).ok).toBe(false);
    expect(models.mutex.describe(true)).toBe('held');
  });

  it('multi-register: a transaction reads and writes several keys at once; a read of nil reads nothing', () => {
    const s = models['multi-register'].init({ x: 0, y: 0 });
    const w = step(
      'multi-register',
      s,
      'txn',
      [
        ['write', 'x', 1],
        ['write', 'y', 1],
      ],
      [
        ['write', 'x', 1],
        ['write', 'y', 1],
      ],
    );
    expect(w).toEqual({ ok: true, state: { x: 1, y: 1 } });
    expect(
      step(
        'multi-register',
        w.state,
        'txn',
        [
          ['read', 'x', null],
          ['read', 'y', null],
        ],
        [
          ['read', 'x', 1],
          ['read', 'y', 0],
        ],
      ).ok,
    ).toBe(false);
    expect(
      step(
        'multi-register',
        w.state,
        'txn',
        [
          ['read', 'x', null],
          ['read', 'y', null],
        ],
        [
          ['read', 'x', 1],
          ['read', 'y', null],
        ],
      ).ok,
    ).toBe(true);
    expect(step('multi-register', s, 'txn', [['read', 'z', null]], [['read', 'z', null]]).ok).toBe(true);
    expect(() => step('multi-register', s, 'txn', [['incr', 'x', 1]], undefined)).toThrow(/read or write/);
    expect(() => models['multi-register'].init([1])).toThrow(/object of values by key/);
  });

  it('every model rejects an operation it does not define', () => {
    for (const name of Object.keys(models)) expect(() => step(name, models[name].init(), 'frobnicate', null)).toThrow(/no operation "frobnicate"/);
  });

  it('stableJson and jsonEqual ignore key order and equate undefined with null', () => {
    expect(stableJson({ b: 1, a: [null, { d: 1, c: 2 }] })).toBe('{"a":[null,{"c":2,"d":1}],"b":1}');
    expect(jsonEqual(undefined, null)).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(0, null)).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});
