import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Failpoints, failpointsOption } from './failpoints.ts';

describe('failpoints', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes at once when unset; holds each pass for its pause while set, saying how many wait', async () => {
    const f = new Failpoints(['after-prepare']);
    await f.pass('after-prepare');
    f.set('after-prepare', { pauseMs: 1_000, times: 2 });
    let done = 0;
    const passes = [f.pass('after-prepare'), f.pass('after-prepare'), f.pass('after-prepare')].map((p) => p.then(() => done++));
    await vi.advanceTimersByTimeAsync(0);
    // The third pass found the point used up (times: 2) and went straight on.
    expect(done).toBe(1);
    expect(f.state()).toEqual({ 'after-prepare': { pauseMs: 0, waiting: 2 } });
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(passes);
    expect(done).toBe(3);
    expect(f.state()).toEqual({});
  });

  it('refuses a point the pattern does not have, at run time and in a suite’s options', () => {
    expect(() => new Failpoints(['after-step']).set('after-prepare', { pauseMs: 1 })).toThrow(/no failpoint "after-prepare"; known: after-step/);
    const option = failpointsOption(['after-step']);
    expect(option.safeParse({ 'after-step': { pauseMs: 5 } }).success).toBe(true);
    expect(option.safeParse({ 'after-stp': { pauseMs: 5 } }).error?.issues[0]).toMatchObject({ path: ['after-stp'] });
  });
});
