import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Op } from '../history/op.ts';
import { history } from './history-builder.ts';
import { checkSetFull } from './set-full.ts';

const fixture = (name: string): Op[] =>
  readFileSync(new URL(`./fixtures/set-full/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Op);

describe('checkSetFull fixtures', () => {
  it('set-full-ok: 1 and 2 stable; 3 missed by one read after its add, then always seen (stale, not lost)', () => {
    const v = checkSetFull(fixture('set-full-ok.jsonl'));
    expect(v).toMatchObject({ valid: true, stableCount: 3, lostCount: 0, staleCount: 1, stale: [3] });
    expect(checkSetFull(fixture('set-full-ok.jsonl'), { linearizable: true }).valid).toBe(false);
  });

  it('set-full-bad: 2 is acknowledged and seen once, then missing from every later read (lost)', () => {
    const v = checkSetFull(fixture('set-full-bad.jsonl'));
    expect(v).toMatchObject({ valid: false, lostCount: 1, lost: [2], counterexample: { element: 2 } });
  });
});

describe('checkSetFull', () => {
  it('calls an element seen by every read begun after its add stable, with latency 0', () => {
    const h = history().invoke(0, 'add', 1).ok(0, 'add', 1).invoke(1, 'read', null).ok(1, 'read', [1]);
    expect(checkSetFull(h.ops)).toMatchObject({
      valid: true,
      attemptCount: 1,
      stableCount: 1,
      staleCount: 0,
      stableLatenciesMs: { max: 0 },
    });
  });

  it('calls an acknowledged element never seen by a later read lost', () => {
    const h = history().invoke(0, 'add', 1).ok(0, 'add', 1).invoke(1, 'read', null).ok(1, 'read', []);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: false, lostCount: 1, lost: [1], lostLatenciesMs: { max: 0 } });
  });

  it('measures lost latency from known to the last read that saw it', () => {
    const h = history()
      .invoke(0, 'add', 1)
      .ok(0, 'add', 1) // known at 1 ms
      .invoke(1, 'read', null)
      .ok(1, 'read', [1]) // invoked at 2 ms
      .invoke(1, 'read', null)
      .ok(1, 'read', []);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: false, lostLatenciesMs: { max: 1 } });
  });

  it('calls an element missed only by reads concurrent with its add never-read, not lost', () => {
    // The read may linearize before the add, so its miss proves nothing.
    const h = history().invoke(0, 'add', 1).invoke(1, 'read', null).ok(0, 'add', 1).ok(1, 'read', []);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: 'unknown', neverReadCount: 1, neverRead: [1], lostCount: 0 });
  });

  it('reports stale elements with their stable latency, and fails them only when linearizable', () => {
    const h = history()
      .invoke(0, 'add', 1)
      .ok(0, 'add', 1) // known at 1 ms
      .invoke(1, 'read', null)
      .ok(1, 'read', []) // invoked at 2 ms: missed it
      .invoke(1, 'read', null)
      .ok(1, 'read', [1]);
    const v = checkSetFull(h.ops);
    expect(v).toMatchObject({ valid: true, stableCount: 1, staleCount: 1, stale: [1] });
    expect(v.worstStale).toEqual([{ element: 1, stableLatencyMs: 1, knownIndex: 1, lastAbsentIndex: 2 }]);
    expect(checkSetFull(h.ops, { linearizable: true })).toMatchObject({ valid: false, counterexample: { element: 1 } });
  });

  it('knows an info add from the first read that saw it', () => {
    const h = history().invoke(0, 'add', 1).info(0, 'add', 1).invoke(1, 'read', null).ok(1, 'read', [1]).invoke(1, 'read', null).ok(1, 'read', [1]);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: true, stableCount: 1 });
  });

  it('does not call an info add that no read ever saw lost: it may never have happened', () => {
    const h = history().invoke(0, 'add', 1).ok(0, 'add', 1).invoke(2, 'add', 2).info(2, 'add', 2).invoke(1, 'read', null).ok(1, 'read', [1]);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: true, neverRead: [2], lostCount: 0 });
  });

  it('is unknown when nothing became stable', () => {
    const h = history().invoke(0, 'add', 1).ok(0, 'add', 1);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: 'unknown', neverReadCount: 1 });
  });

  it('fails a read listing an element twice, or one never added', () => {
    const twice = history().invoke(0, 'add', 1).ok(0, 'add', 1).invoke(1, 'read', null).ok(1, 'read', [1, 1]);
    expect(checkSetFull(twice.ops)).toMatchObject({ valid: false, duplicated: [{ element: 1, copies: 2 }] });
    const ghost = history().invoke(0, 'add', 1).ok(0, 'add', 1).invoke(1, 'read', null).ok(1, 'read', [1, 7]);
    expect(checkSetFull(ghost.ops)).toMatchObject({ valid: false, unexpected: [7] });
  });

  it('ignores nemesis ops, failed adds and failed reads', () => {
    const h = history()
      .invoke(0, 'add', 1)
      .ok(0, 'add', 1)
      .info('nemesis', 'start-partition', null)
      .invoke(1, 'read', null)
      .fail(1, 'read', [])
      .invoke(1, 'read', null)
      .ok(1, 'read', [1]);
    expect(checkSetFull(h.ops)).toMatchObject({ valid: true, stableCount: 1, staleCount: 0 });
  });
});
