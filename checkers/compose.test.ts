import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { compose } from './compose.ts';
import type { Verdict } from './verdict.ts';

const history: Op[] = [{ index: 0, time: 0, process: 0, type: 'invoke', f: 'read', value: null }];
const says = (valid: Verdict['valid']) => () => ({ valid, said: valid });

describe('compose', () => {
  it('passes only when every checker passes, keeping each verdict under its name', () => {
    expect(compose({ a: says(true), b: says(true) })(history)).toEqual({
      valid: true,
      results: { a: { valid: true, said: true }, b: { valid: true, said: true } },
    });
  });

  it('merges to the worst: false over unknown over true, whatever the order', () => {
    expect(compose({ a: says(true), b: says('unknown') })(history).valid).toBe('unknown');
    expect(compose({ a: says(false), b: says('unknown'), c: says(true) })(history).valid).toBe(false);
    expect(compose({ a: says('unknown'), b: says(false) })(history).valid).toBe(false);
  });

  it('turns a checker that throws into unknown with its message, never a pass', () => {
    const v = compose({
      ok: says(true),
      broken: () => {
        throw new Error('out of memory');
      },
    })(history);
    expect(v).toEqual({ valid: 'unknown', results: { ok: { valid: true, said: true }, broken: { valid: 'unknown', error: 'out of memory' } } });
  });

  it('does not let a throw hide another checker failing', () => {
    const v = compose({
      broken: () => {
        throw 'boom';
      },
      bad: says(false),
    })(history);
    expect(v.valid).toBe(false);
    expect(v.results.broken).toEqual({ valid: 'unknown', error: 'boom' });
  });

  it('treats a verdict without a proper valid as unknown', () => {
    const v = compose({ sloppy: () => ({ valid: 'yes' }) as unknown as Verdict })(history);
    expect(v.valid).toBe('unknown');
    expect(v.results.sloppy.error).toMatch(/"yes"/);
  });

  it('hands every checker the same history', () => {
    const seen: (readonly Op[])[] = [];
    compose({ a: (h) => (seen.push(h), { valid: true }), b: (h) => (seen.push(h), { valid: true }) })(history);
    expect(seen).toEqual([history, history]);
  });

  it('is true with no checkers', () => {
    expect(compose({})(history)).toEqual({ valid: true, results: {} });
  });
});
