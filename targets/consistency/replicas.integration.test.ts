import { beforeAll, describe, expect, it } from 'vitest';
import { type RunCase, runInline } from '../../runner/run-inline.ts';

/**
 * The replica patterns under the same two faults: the replica cut off from
 * its primary (a partition of `db` and `db-replica-1`, both ways), then the
 * service cut off from the primary (a client partitioned from one node).
 */
let cases: Record<string, RunCase>;

beforeAll(async () => {
  cases = await runInline({
    name: 'replicas',
    workload: { script: 'targets/consistency/register.k6.ts', rate: 25, duration: '10s', timeout: '2s', preVUs: 8, maxVUs: 8, keys: 8 },
    cases: [{ target: 'pg-primary' }, { target: 'pg-sync-replica' }, { target: 'pg-async-replica' }, { target: 'redis-replicas' }],
    faults: [
      { fault: 'partition', on: 'db*', grouping: 'one', node: 'db-replica-1', at: '1500ms', for: '4500ms' },
      { fault: 'down', on: 'target-to-db', at: '7s', for: '2s' },
    ],
    checkers: ['linearizable', 'staleness'],
  });
}, 240_000);

const window = (c: RunCase, fault: string) => c.figures.availability.windows.find((w: { fault: string }) => w.fault === fault).outcomes;

describe('under a replica partition', () => {
  it('the strong patterns stay linearizable', () => {
    for (const name of ['pg-primary', 'pg-sync-replica']) {
      expect(cases[name].result.status, name).toBe('completed');
      expect(cases[name].check('linearizable').valid, name).toBe(true);
      expect(cases[name].figures.staleness.staleReads, name).toBe(0);
    }
  });

  it('the synchronous replica loses availability (its writes wait for the replica), the single primary does not', () => {
    const sync = cases['pg-sync-replica'];
    expect(window(sync, 'partition').answeredShare).toBeLessThan(sync.figures.availability.outsideFaults.answeredShare - 0.2);
    expect(window(cases['pg-primary'], 'partition').answeredShare).toBeGreaterThan(0.95);
  });

  it('the asynchronous replica patterns stay available, and the checkers find stale reads, with a counterexample', () => {
    for (const name of ['pg-async-replica', 'redis-replicas']) {
      const c = cases[name];
      expect(window(c, 'partition').answeredShare, name).toBeGreaterThan(0.95);
      expect(c.figures.staleness.staleReads, name).toBeGreaterThan(0);
      expect(c.figures.staleness.tMs.max, name).toBeGreaterThan(500);
      const linear = c.check('linearizable') as { valid: unknown; counterexample: { prefix: unknown[]; unplaced: unknown[] }[] };
      expect(linear.valid, name).toBe(false);
      expect(linear.counterexample[0].unplaced.length, name).toBeGreaterThan(0);
    }
  });

  it('the metrics show the replica falling behind its primary while cut off', () => {
    expect(cases['pg-async-replica'].figures.replicationLag['db-replica-1'].bytesBehind.max).toBeGreaterThan(0);
    expect(cases['redis-replicas'].figures.replicationLag['db-replica-1'].bytesBehind.max).toBeGreaterThan(0);
  });
});

describe('with the client cut off from the primary', () => {
  it('writes fail everywhere; reads fail too where they are served by the primary, and go on where a replica serves them', () => {
    for (const name of ['pg-primary', 'pg-sync-replica', 'pg-async-replica', 'redis-replicas']) {
      const { byOp } = window(cases[name], 'down');
      expect(byOp.write.okShare, name).toBeLessThan(0.2);
      // An op invoked as the link went down may still have made it: margins, not exact shares.
      if (name === 'pg-primary') expect(byOp.read.okShare, name).toBeLessThan(0.2);
      else expect(byOp.read.okShare, name).toBeGreaterThan(0.8);
    }
    expect(cases['pg-primary'].check('linearizable').valid).toBe(true);
  });
});
