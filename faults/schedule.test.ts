import { describe, expect, it } from 'vitest';
import type { OpInput } from '../history/op.ts';
import { Nemesis } from './nemesis.ts';
import { planRandomNemesis, planTimeline, runSchedule } from './schedule.ts';

const random = {
  seed: 7,
  faults: [
    { fault: 'latency', on: ['target-to-redis', 'redis-replica-1-to-redis'], latency: 100 },
    { fault: 'kill', on: ['redis'] },
  ],
  minFor: '1s',
  maxFor: '3s',
  minGap: 500,
  maxGap: '2s',
  durationMs: 60_000,
};

describe('planTimeline', () => {
  it('compiles entries into a plan sorted by start, attributes validated and defaulted', () => {
    const plan = planTimeline([
      { fault: 'latency', on: 'target-to-redis', at: '5s', for: '10s', latency: 100 },
      { fault: 'down', on: 'target-to-redis', at: 1_000, for: '500ms' },
    ]);
    expect(plan).toEqual([
      { kind: 'down', on: 'target-to-redis', attributes: {}, atMs: 1_000, forMs: 500 },
      { kind: 'latency', on: 'target-to-redis', attributes: { latency: 100, jitter: 0, stream: 'downstream', toxicity: 1 }, atMs: 5_000, forMs: 10_000 },
    ]);
  });

  it('names the bad entry and field', () => {
    expect(() =>
      planTimeline([
        { fault: 'down', on: 'l', at: '1s', for: '1s' },
        { fault: 'latency', on: 'l', at: 'soon', for: '1s', latency: 1 },
      ]),
    ).toThrow('faults[1] (latency on l): at: expected a duration');
    expect(() => planTimeline([{ fault: 'latency', on: 'l', at: '1s', for: '1s', latency: 'fast' }])).toThrow(
      'faults[0] (latency on l): latency fault: latency: expected',
    );
    expect(() => planTimeline([{ fault: 'nap', on: 'l', at: '1s', for: '1s' }])).toThrow(/unknown fault "nap"/);
  });
});

describe('planRandomNemesis', () => {
  it('gives the same plan for the same seed, and another for another seed', () => {
    expect(planRandomNemesis(random)).toEqual(planRandomNemesis(random));
    expect(planRandomNemesis(random)).not.toEqual(planRandomNemesis({ ...random, seed: 8 }));
  });

  it('keeps one fault at a time, each span and gap within its range, all within the run', () => {
    const plan = planRandomNemesis(random);
    expect(plan.length).toBeGreaterThan(10);
    let previousEndMs = 0;
    for (const p of plan) {
      expect(p.forMs).toBeGreaterThanOrEqual(1_000);
      expect(p.forMs).toBeLessThanOrEqual(3_000);
      expect(p.atMs - previousEndMs).toBeGreaterThanOrEqual(500);
      expect(p.atMs - previousEndMs).toBeLessThanOrEqual(2_000);
      expect(p.atMs + p.forMs).toBeLessThanOrEqual(60_000);
      previousEndMs = p.atMs + p.forMs;
    }
  });

  it('chooses among every fault and every name it was given', () => {
    const plan = planRandomNemesis({ ...random, durationMs: 600_000 });
    expect(new Set(plan.map((p) => `${p.kind} ${p.on}`))).toEqual(new Set(['latency target-to-redis', 'latency redis-replica-1-to-redis', 'kill redis']));
    expect(plan.find((p) => p.kind === 'latency')?.attributes).toEqual({ latency: 100, jitter: 0, stream: 'downstream', toxicity: 1 });
  });

  it('plans nothing when no fault fits in the run', () => {
    expect(planRandomNemesis({ ...random, durationMs: 1_000 })).toEqual([]);
  });

  it('rejects bad options, naming them', () => {
    expect(() => planRandomNemesis({ ...random, minFor: '5s' })).toThrow('minFor (5000 ms) is longer than maxFor (3000 ms)');
    expect(() => planRandomNemesis({ ...random, minGap: '3s' })).toThrow('minGap (3000 ms) is longer than maxGap (2000 ms)');
    expect(() => planRandomNemesis({ ...random, minFor: 0 })).toThrow('minFor: expected a duration > 0');
    expect(() => planRandomNemesis({ ...random, maxGap: 'later' })).toThrow('maxGap: expected a duration');
    expect(() => planRandomNemesis({ ...random, faults: [] })).toThrow('faults: expected at least one fault');
    expect(() => planRandomNemesis({ ...random, faults: [{ fault: 'kill', on: [] }] })).toThrow('faults[0] (kill): on: expected at least one');
    expect(() => planRandomNemesis({ ...random, faults: [{ fault: 'latency', on: ['l'], latency: -1 }] })).toThrow(
      'faults[0] (latency): latency fault: latency: expected',
    );
    expect(() => planRandomNemesis({ ...random, minFor: 1, maxFor: 1, minGap: 0, maxGap: 0, durationMs: 3_600_000 })).toThrow(/more than 10000 faults/);
  });
});

describe('runSchedule', () => {
  it('builds every fault before starting any, so a bad link fails at once', async () => {
    const history: OpInput[] = [];
    const nemesis = new Nemesis({
      history: { append: (op) => history.push(op) },
      clock: () => 0,
      ctx: { toxiproxyUrl: 'http://127.0.0.1:1', components: new Map(), links: new Map([['a', { from: 'a', to: 'b' }]]) },
    });
    const plan = planTimeline([
      { fault: 'down', on: 'a', at: '1m', for: '1s' },
      { fault: 'down', on: 'b', at: 0, for: '1s' },
    ]);
    await expect(runSchedule(plan, nemesis, { signal: new AbortController().signal })).rejects.toThrow('down fault: unknown link "b"; known links: a');
    expect(history).toEqual([]);
  });
});
