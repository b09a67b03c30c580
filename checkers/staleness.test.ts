import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { history } from './history-builder.ts';
import { checkStaleness, distribution } from './staleness.ts';

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/staleness/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

describe('checkStaleness fixtures', () => {
  it('staleness-ok: every read returns the latest completed or a concurrent write', () => {
    const v = checkStaleness(fixture('staleness-ok.jsonl'), { maxK: 0 });
    expect(v.valid).toBe(true);
    expect(v.staleReads).toBe(0);
  });

  it('staleness-bad: process 2 reads 1 after writes 2 and 3 completed (k = 2), beyond maxK 1', () => {
    const v = checkStaleness(fixture('staleness-bad.jsonl'), { maxK: 1 });
    expect(v.valid).toBe(false);
    expect(v.counterexample).toMatchObject({ k: 2, read: { process: 2, value: 1 } });
  });
});

describe('checkStaleness', () => {
  it('counts a read of the latest completed write as fresh', () => {
    const h = history().invoke(0, 'write', 1).ok(0, 'write', 1).invoke(1, 'read', null).ok(1, 'read', 1);
    const v = checkStaleness(h.ops);
    expect(v).toMatchObject({ valid: true, reads: 1, staleReads: 0, staleFraction: 0, k: { max: 0 }, tMs: { max: 0 } });
  });

  it('measures k in versions and t in ms since the returned value was superseded', () => {
    const h = history()
      .invoke(0, 'write', 1)
      .ok(0, 'write', 1)
      .invoke(0, 'write', 2)
      .ok(0, 'write', 2) // 2 supersedes 1 at 3 ms
      .invoke(0, 'write', 3)
      .ok(0, 'write', 3)
      .at(10)
      .invoke(1, 'read', null)
      .ok(1, 'read', 1); // starts at 10 ms
    const v = checkStaleness(h.ops);
    expect(v.valid).toBe(true); // no bound: staleness is a measurement
    expect(v.staleReads).toBe(1);
    expect(v.worst[0]).toMatchObject({ k: 2, tMs: 7, value: 1 });
  });

  it('counts a value of a write concurrent with the read as fresh', () => {
    // The write of 2 is in flight while the read runs: it may have taken effect first.
    const h = history().invoke(0, 'write', 1).ok(0, 'write', 1).invoke(0, 'write', 2).invoke(1, 'read', null).ok(1, 'read', 2).ok(0, 'write', 2);
    expect(checkStaleness(h.ops, { maxK: 0 })).toMatchObject({ valid: true, staleReads: 0 });
  });

  it('counts as fresh a value no committed write surely superseded: overlapping writes may have taken effect in either order', () => {
    // 2 and 1 overlap, 1 acknowledged first: 2 then 1 is a linearization, so a later read of 1 is not stale…
    const h = history().invoke(0, 'write', 1).invoke(1, 'write', 2).ok(0, 'write', 1).ok(1, 'write', 2).invoke(2, 'read', null).ok(2, 'read', 1);
    expect(checkStaleness(h.ops, { maxK: 0 })).toMatchObject({ valid: true, staleReads: 0 });
    // …until a write invoked after 1 completed is acknowledged: that one surely came after it.
    const later = h.invoke(1, 'write', 3).ok(1, 'write', 3).invoke(2, 'read', null).ok(2, 'read', 1);
    expect(checkStaleness(later.ops)).toMatchObject({ staleReads: 1, worst: [{ k: 1 }] });
  });

  it('counts the value of an earlier info write as fresh: it may take effect at any later time', () => {
    const h = history().invoke(0, 'write', 1).info(0, 'write', 1).invoke(1, 'write', 2).ok(1, 'write', 2).invoke(2, 'read', null).ok(2, 'read', 1);
    expect(checkStaleness(h.ops, { maxK: 0 })).toMatchObject({ valid: true, staleReads: 0 });
  });

  it('counts the initial value as version -1', () => {
    const h = history()
      .invoke(1, 'read', null)
      .ok(1, 'read', 0) // fresh: nothing written yet
      .invoke(0, 'write', 5)
      .ok(0, 'write', 5)
      .invoke(1, 'read', null)
      .ok(1, 'read', 0);
    const v = checkStaleness(h.ops, { init: 0 });
    expect(v.reads).toBe(2);
    expect(v.worst).toEqual([{ index: 5, value: 0, k: 1, tMs: 1 }]);
    // With the default init (null), reading 0 is an anomaly.
    expect(checkStaleness(h.ops).valid).toBe(false);
  });

  it('treats a cas that succeeded as a write of its new value', () => {
    const h = history().invoke(0, 'write', 1).ok(0, 'write', 1).invoke(0, 'cas', [1, 2]).ok(0, 'cas', [1, 2]).invoke(1, 'read', null).ok(1, 'read', 1);
    expect(checkStaleness(h.ops).worst[0]).toMatchObject({ k: 1 });
  });

  it('rejects a read of a value never written', () => {
    const h = history().invoke(0, 'write', 1).ok(0, 'write', 1).invoke(1, 'read', null).ok(1, 'read', 9);
    const v = checkStaleness(h.ops);
    expect(v.valid).toBe(false);
    expect(v.counterexample).toMatchObject({ read: { index: 3, value: 9 }, invoke: { index: 2 } });
  });

  it('rejects a read of a write that surely failed, or was invoked only after the read returned', () => {
    const failed = history().invoke(0, 'write', 1).fail(0, 'write', 1).invoke(1, 'read', null).ok(1, 'read', 1);
    expect(checkStaleness(failed.ops).valid).toBe(false);
    const future = history().invoke(1, 'read', null).ok(1, 'read', 1).invoke(0, 'write', 1).ok(0, 'write', 1);
    expect(checkStaleness(future.ops).valid).toBe(false);
  });

  it('fails reads beyond maxK or maxTMs, inclusive bounds', () => {
    const h = history()
      .invoke(0, 'write', 1)
      .ok(0, 'write', 1)
      .invoke(0, 'write', 2)
      .ok(0, 'write', 2) // supersedes 1 at 3 ms
      .at(53)
      .invoke(1, 'read', null)
      .ok(1, 'read', 1); // 50 ms stale, k = 1
    expect(checkStaleness(h.ops, { maxK: 1, maxTMs: 50 }).valid).toBe(true);
    expect(checkStaleness(h.ops, { maxK: 0 })).toMatchObject({ valid: false, counterexample: { reason: 'read exceeded maxK 0', k: 1 } });
    expect(checkStaleness(h.ops, { maxTMs: 49 })).toMatchObject({ valid: false, counterexample: { tMs: 50, latestWrite: { value: 2 } } });
  });

  it('keeps keys apart', () => {
    const h = history()
      .invoke(0, 'write', 1, 'a')
      .ok(0, 'write', 1, 'a')
      .invoke(0, 'write', 1, 'b')
      .ok(0, 'write', 1, 'b')
      .invoke(0, 'write', 2, 'b')
      .ok(0, 'write', 2, 'b')
      .invoke(1, 'read', null, 'a')
      .ok(1, 'read', 1, 'a') // latest of a
      .invoke(1, 'read', null, 'b')
      .ok(1, 'read', 1, 'b'); // one behind on b
    const v = checkStaleness(h.ops);
    expect(v.staleReads).toBe(1);
    expect(v.worst[0]).toMatchObject({ key: 'b', k: 1 });
  });

  it('ignores nemesis ops and failed or unknown reads', () => {
    const h = history()
      .invoke(0, 'write', 1)
      .ok(0, 'write', 1)
      .info('nemesis', 'start-partition', 'x')
      .invoke(1, 'read', null)
      .info(1, 'read', null)
      .invoke(2, 'read', null)
      .fail(2, 'read', 7);
    expect(checkStaleness(h.ops)).toMatchObject({ valid: true, reads: 0, k: null });
  });

  it('draws the t-visibility curve: P(latest or newer | started ≥ t ms after the write completed)', () => {
    const h = history()
      .at(0)
      .invoke(0, 'write', 1)
      .ok(0, 'write', 1) // completes at 1 ms
      .at(11)
      .invoke(1, 'read', null)
      .ok(1, 'read', null) // 10 ms after: missed it
      .at(101)
      .invoke(2, 'read', null)
      .ok(2, 'read', 1); // 100 ms after: saw it
    const curve = new Map(checkStaleness(h.ops).visibility.map((p) => [p.tMs, p]));
    expect(curve.get(0)).toEqual({ tMs: 0, reads: 2, probability: 0.5 });
    expect(curve.get(10)).toEqual({ tMs: 10, reads: 2, probability: 0.5 });
    expect(curve.get(20)).toEqual({ tMs: 20, reads: 1, probability: 1 });
    expect(curve.get(200)).toEqual({ tMs: 200, reads: 0, probability: null });
  });
});

describe('distribution', () => {
  it('takes nearest-rank percentiles', () => {
    const sample = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(distribution(sample)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
    expect(distribution([])).toBeNull();
  });
});
