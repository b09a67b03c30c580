import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { history } from './history-builder.ts';
import { checkLostWrites } from './lost-writes.ts';

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/lost-writes/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

describe('checkLostWrites fixtures', () => {
  it('ok: every acknowledged write read back or overwritten by one that was', () => {
    expect(checkLostWrites(fixture('lost-writes-ok.jsonl'))).toMatchObject({ valid: true, acknowledged: 3, verified: 3, lost: 0, unverified: 0 });
  });

  it('bad: the final read of k1 shows a, so b (acknowledged after a) was lost', () => {
    const v = checkLostWrites(fixture('lost-writes-bad.jsonl'));
    expect(v).toMatchObject({ valid: false, acknowledged: 3, verified: 3, lost: 1, keysLost: 1 });
    expect(v.lostWrites).toEqual([{ key: 'k1', value: 'b', index: 3, finalValue: 'a', finalReadIndex: 6 }]);
  });
});

describe('checkLostWrites', () => {
  it('counts every acknowledged write newer than the final value, the initial value included', () => {
    const h = history()
      .invoke(1, 'write', 'a', 'k')
      .ok(1, 'write', 'a', 'k')
      .invoke(1, 'write', 'b', 'k')
      .ok(1, 'write', 'b', 'k')
      .invoke(2, 'read', null, 'k')
      .ok(2, 'read', null, 'k').ops;
    expect(checkLostWrites(h)).toMatchObject({ valid: false, lost: 2, verified: 2 });
    // Under another initial value, a final read of null is a value nobody wrote: nothing judged.
    expect(checkLostWrites(h, { init: 'seed' })).toMatchObject({ valid: 'unknown', lost: 0, unverified: 2 });
  });

  it('does not count a write lost when the surviving value’s write may have come after it (concurrent, or info)', () => {
    const concurrent = history()
      .invoke(1, 'write', 'a', 'k')
      .invoke(2, 'write', 'b', 'k')
      .ok(2, 'write', 'b', 'k')
      .ok(1, 'write', 'a', 'k')
      .invoke(3, 'read', null, 'k')
      .ok(3, 'read', 'b', 'k').ops;
    expect(checkLostWrites(concurrent)).toMatchObject({ valid: true, lost: 0, verified: 2 });
    const unknown = history()
      .invoke(1, 'write', 'a', 'k')
      .ok(1, 'write', 'a', 'k')
      .invoke(2, 'write', 'b', 'k')
      .info(2, 'write', 'b', 'k')
      .invoke(3, 'read', null, 'k')
      .ok(3, 'read', 'b', 'k').ops;
    expect(checkLostWrites(unknown)).toMatchObject({ valid: true, lost: 0, acknowledged: 1, verified: 1 });
  });

  it('a write lost, then overwritten by one that survived, is not counted (its gap is staleness)', () => {
    const h = history()
      .invoke(1, 'write', 'a', 'k')
      .ok(1, 'write', 'a', 'k')
      .invoke(2, 'read', null, 'k')
      .ok(2, 'read', null, 'k')
      .invoke(1, 'write', 'b', 'k')
      .ok(1, 'write', 'b', 'k')
      .invoke(2, 'read', null, 'k')
      .ok(2, 'read', 'b', 'k').ops;
    expect(checkLostWrites(h)).toMatchObject({ valid: true, lost: 0, verified: 2 });
  });

  it('is unknown when no acknowledged write was followed by a read of its key, and leaves later writes unverified', () => {
    const h = history().invoke(2, 'read', null, 'k').ok(2, 'read', null, 'k').invoke(1, 'write', 'a', 'k').ok(1, 'write', 'a', 'k').ops;
    expect(checkLostWrites(h)).toMatchObject({ valid: 'unknown', acknowledged: 1, verified: 0, unverified: 1 });
    expect(checkLostWrites([])).toMatchObject({ valid: 'unknown', acknowledged: 0 });
  });

  it('judges nothing by a final read of a value no write wrote', () => {
    const h = history().invoke(1, 'write', 'a', 'k').ok(1, 'write', 'a', 'k').invoke(2, 'read', null, 'k').ok(2, 'read', 'zzz', 'k').ops;
    expect(checkLostWrites(h)).toMatchObject({ valid: 'unknown', unverified: 1 });
  });

  it('ignores failed writes and nemesis events, and reads that failed', () => {
    const h = history()
      .invoke(1, 'write', 'a', 'k')
      .ok(1, 'write', 'a', 'k')
      .invoke(1, 'write', 'b', 'k')
      .fail(1, 'write', 'b', 'k')
      .invoke(2, 'read', null, 'k')
      .ok(2, 'read', 'a', 'k')
      .invoke(3, 'read', null, 'k')
      .info(3, 'read', null, 'k').ops;
    expect(checkLostWrites([...h, { index: 99, time: 0, process: 'nemesis', type: 'info', f: 'start-kill', value: 'redis' }])).toMatchObject({
      valid: true,
      acknowledged: 1,
      lost: 0,
    });
  });
});
