import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../history/op.ts';
import { checkLinearizable } from './index.ts';

const load = (name: string): Op[] =>
  readFileSync(new URL(`../fixtures/linearizability/${name}.jsonl`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

/** Each pair: `-ok` is the near miss that is allowed, `-bad` the anomaly. */
const pairs: Array<{ name: string; model: string; init?: unknown; ok: string; bad: string }> = [
  {
    name: 'register-stale-read',
    model: 'register',
    init: 0,
    ok: 'a read concurrent with write 1 may still see 0',
    bad: 'a read begun after write 1 returned sees 0 (stale read)',
  },
  {
    name: 'register-info-write',
    model: 'register',
    init: 0,
    ok: 'write 2 ended info, then appears: it took effect late',
    bad: 'write 2 (info) seen, then 0 again: a value came back',
  },
  {
    name: 'register-never-written',
    model: 'register',
    init: 0,
    ok: 'the failed write 1 is never seen; 3 is read while its write is in flight',
    bad: 'a read sees 1, whose only write failed (value never written)',
  },
  {
    name: 'cas-register-wrong-from',
    model: 'cas-register',
    init: 0,
    ok: 'cas 0→2 succeeds, cas 0→3 then fails',
    bad: 'cas 0→3 succeeds although the value was 1 (cas from a wrong value)',
  },
  {
    name: 'cas-register-lost-write',
    model: 'cas-register',
    init: 0,
    ok: 'concurrent writes 1 and 2: 1 may land last; nemesis events ignored',
    bad: 'write 2 returned after write 1, yet a later read sees 1 (lost write)',
  },
  {
    name: 'kv-append-order',
    model: 'kv',
    init: '',
    ok: 'concurrent appends x and y may land as "yx"',
    bad: 'append y began after append x returned, yet "yx" is read (appends reordered)',
  },
  {
    name: 'kv-cross-key',
    model: 'kv',
    init: '',
    ok: 'cas on b from "" sees its own key, not a',
    bad: 'cas on b from "1" succeeds: it saw key a\'s value (keys not independent)',
  },
  {
    name: 'set-lost-add',
    model: 'set',
    ok: 'a read concurrent with add 1 misses it; info add 2 appears later',
    bad: 'add 1 seen, then missing from a later read (lost add)',
  },
  {
    name: 'mutex-double-acquire',
    model: 'mutex',
    ok: 'a release ending info may have freed the lock for the next acquire',
    bad: 'two acquires succeed with no release between (double acquire)',
  },
  {
    name: 'multi-register-torn-read',
    model: 'multi-register',
    init: { x: 0, y: 0 },
    ok: 'a read concurrent with the write of x and y sees both old; a later read of nil for y reads nothing',
    bad: 'a read sees the new x and the old y of one transaction (torn read)',
  },
];

describe('linearizability fixtures', () => {
  for (const { name, model, init, ok, bad } of pairs) {
    it(`${name}-ok: ${ok}`, () => {
      expect(checkLinearizable(load(`${name}-ok`), { model, init })).toMatchObject({ valid: true, model });
    });
    it(`${name}-bad: ${bad}`, () => {
      const verdict = checkLinearizable(load(`${name}-bad`), { model, init });
      expect(verdict.valid).toBe(false);
      expect(verdict.counterexample).toHaveLength(1);
      expect(verdict.counterexample![0].unplaced.length).toBeGreaterThan(0);
    });
  }
});
